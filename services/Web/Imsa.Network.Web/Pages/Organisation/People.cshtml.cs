using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Imsa.Network.Web.Pages.Organisation;

/// <summary>A person of the organisation as Partners shows them to its admins (GET /organisations/{id}/people).</summary>
internal sealed record PersonView(Guid Id, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, string? DisplayName, string? Email);

/// <summary>
/// The organisation's people: the list, an invitation by e-mail with a role, and deactivation after a confirmation
/// (<c>?deactivate={person}</c> shows it; the form posts). Partners invites one role per person, takes the name from the
/// person at enrolment, lists no invitations and changes no roles, so the page offers none of that.
/// </summary>
internal sealed class PeopleModel(NetworkApi api) : OrganisationPage(api)
{
    public static readonly IReadOnlyList<string> Roles = ["counsellor", "organisation-admin"];

    public IReadOnlyList<PersonView> People { get; private set; } = [];

    /// <summary>The person the admin is asked to confirm the deactivation of.</summary>
    public PersonView? ToDeactivate { get; private set; }

    public string? Done { get; private set; }

    public Guid Me => Guid.TryParse(User.FindFirst("sub")?.Value, out var me) ? me : Guid.Empty;

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string Role { get; set; } = "counsellor";

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(string? done, Guid? deactivate, CancellationToken cancellationToken)
    {
        Done = done is "invited" or "deactivated" ? done : null;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        ToDeactivate = People.FirstOrDefault(person => person.Id == deactivate && person.Status != "deactivated" && person.Id != Me);
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(
            HttpMethod.Post, Own("people/invitations"), new { email = Email?.Trim(), role = Role }, IdempotencyKey, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "invited" });
        }

        Problem = result.Problem;
        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid personId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<PersonView>(HttpMethod.Post, Own($"people/{personId}/deactivate"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "deactivated" });
        }

        Problem = result.Problem;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var people = await GetAsync<List<PersonView>>(Own("people"), cancellationToken);
        Problem ??= people.Problem;
        People = people.Value ?? [];
    }
}
