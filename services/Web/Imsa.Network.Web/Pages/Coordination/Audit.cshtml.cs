using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>One coordinator action in a service (or one the service took by itself, such as a lockout).</summary>
internal sealed record AuditEntry(long Id, DateTimeOffset At, Guid OrganisationId, string? ClientId, Guid? PersonId, string Action, string Target, string? Reason);

/// <summary>One request of the coordinator's own office that changed a service's data: ids only.</summary>
internal sealed record ActivityEntry(long Id, DateTimeOffset At, Guid? PersonId, string? ClientId, string Endpoint, IReadOnlyList<string> Changes);

internal sealed record ActivityPage(IReadOnlyList<ActivityEntry> Items, int Page, int PageSize, int Total);

/// <summary>
/// The trails the services keep, one service at a time: the coordinators' actions (<c>GET /admin/audit</c>, the newest
/// <c>limit</c>), and the coordination office's own activity (<c>GET /activity</c>: its people's and systems'
/// changes, filtered by person, in pages). Nothing but ids, codes, times and the reasons coordinators gave.
/// </summary>
internal sealed class AuditModel(NetworkApi api) : PageModel
{
    public const int PageSize = 50;

    /// <summary>"audit" or "activity": which trail is shown.</summary>
    public string Trail { get; private set; } = "audit";

    public NetworkService Service { get; private set; } = NetworkService.All[0];

    public int Limit { get; private set; } = PageSize;

    public string? Person { get; private set; }

    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    public ActivityPage? Activity { get; private set; }

    /// <summary>The service's refusal; a field it names is shown next to that field.</summary>
    public ApiProblem? Problem { get; private set; }

    public bool PersonRefused => Problem?.Fields.Contains("personId") == true;

    public bool LimitRefused => Problem?.Fields.Contains("limit") == true;

    public async Task OnGetAsync(string? trail, string? service, int? limit, string? person, int? page, CancellationToken cancellationToken)
    {
        Trail = trail == "activity" ? "activity" : "audit";
        Service = NetworkService.Named(service) ?? NetworkService.All[0];
        Limit = limit ?? PageSize;
        Person = string.IsNullOrWhiteSpace(person) ? null : person.Trim();
        if (Trail == "audit")
        {
            var result = await api.GetAsync<List<AuditEntry>>(Service.Client, $"admin/audit?limit={Limit}", cancellationToken);
            (Audit, Problem) = (result.Value ?? [], result.Problem);
        }
        else if (Person is not null && !Guid.TryParse(Person, out _))
        {
            Problem = new ApiProblem(StatusCodes.Status422UnprocessableEntity, ["personId"]);
        }
        else
        {
            var query = $"activity?page={Math.Max(page ?? 1, 1)}&pageSize={PageSize}" + (Person is null ? "" : "&personId=" + Uri.EscapeDataString(Person));
            var result = await api.GetAsync<ActivityPage>(Service.Client, query, cancellationToken);
            (Activity, Problem) = (result.Value, result.Problem);
        }

        if (Problem?.Status == StatusCodes.Status403Forbidden)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }

    /// <summary>The address of another page of the activity, with the same filter.</summary>
    public string ActivityPageLink(int page) =>
        $"/coordination/audit?trail=activity&service={Service.Code}&page={page}" + (Person is null ? "" : "&person=" + Uri.EscapeDataString(Person));
}
