using System.Globalization;
using System.Text.Json.Nodes;
using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Capacity;

/// <summary>
/// The receiving service's capacity as Partners keeps it in the organisation's profile: accepting, the most handovers
/// open at once, no new handovers before a day. Partners changes a profile only as a whole
/// (<c>PUT /organisations/{id}/profile</c>, for the organisation's administrators), so a change reads the profile as
/// it is now and sends it back with only the capacity replaced.
/// </summary>
internal sealed class IndexModel(NetworkApi api) : PageModel
{
    public CapacityView? Current { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public bool Saved { get; private set; }

    /// <summary>Partners lets the organisation's administrators change the profile; the page offers the form to them.</summary>
    public bool MayChange => User.IsInRole("organisation-admin");

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    [BindProperty]
    public bool Accepting { get; set; }

    [BindProperty]
    public int? MaxOpenHandovers { get; set; }

    [BindProperty]
    public DateOnly? NoCapacityUntil { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    private string Organisation => User.FindFirst("org")?.Value ?? "";

    public async Task OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        Saved = saved;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (await ReadAsync(cancellationToken) is { } current)
        {
            (Accepting, MaxOpenHandovers, NoCapacityUntil, Note) = (current.Accepting, current.MaxOpenHandovers, current.NoCapacityUntil, current.Note);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var organisation = await api.GetAsync<JsonObject>(SignInEndpoints.PartnersClient, $"organisations/{Uri.EscapeDataString(Organisation)}", cancellationToken);
        if (organisation.Value?["profile"] is JsonObject profile)
        {
            // Everything else of the profile goes back as Partners gave it.
            var changed = (JsonObject)profile.DeepClone();
            if (changed["receiving"] is JsonObject receiving)
            {
                receiving["capacity"] = new JsonObject
                {
                    ["accepting"] = Accepting,
                    ["maxOpenHandovers"] = MaxOpenHandovers,
                    ["noCapacityUntil"] = NoCapacityUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["note"] = string.IsNullOrWhiteSpace(Note) ? null : Note,
                };
            }

            var result = await api.SendAsync<JsonObject>(
                SignInEndpoints.PartnersClient, HttpMethod.Put, $"organisations/{Uri.EscapeDataString(Organisation)}/profile", changed, IdempotencyKey, cancellationToken);
            if (result.Succeeded)
            {
                return RedirectToPage(new { saved = true });
            }

            Problem = result.Problem;
        }
        else
        {
            Problem = organisation.Problem ?? new ApiProblem(StatusCodes.Status404NotFound, []);
        }

        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        var problem = Problem;
        await ReadAsync(cancellationToken);
        Problem = problem;
        return Page();
    }

    /// <summary>Whether the refusal names the capacity's <paramref name="field"/> (Partners names it within the profile).</summary>
    public bool Refused(string field) =>
        Problem?.Fields.Contains("receiving.capacity." + field, StringComparer.OrdinalIgnoreCase) == true;

    private async Task<CapacityView?> ReadAsync(CancellationToken cancellationToken)
    {
        var organisation = await api.GetAsync<JsonObject>(SignInEndpoints.PartnersClient, $"organisations/{Uri.EscapeDataString(Organisation)}", cancellationToken);
        Problem = organisation.Problem;
        var capacity = organisation.Value?["profile"]?["receiving"]?["capacity"];
        if (capacity is null)
        {
            Problem ??= new ApiProblem(StatusCodes.Status404NotFound, []);
            return null;
        }

        Current = new CapacityView(
            capacity["accepting"]?.GetValue<bool>() ?? true,
            capacity["maxOpenHandovers"]?.GetValue<int>(),
            capacity["noCapacityUntil"]?.GetValue<string>() is { } until ? DateOnly.ParseExact(until, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
            capacity["note"]?.GetValue<string>());
        return Current;
    }
}

internal sealed record CapacityView(bool Accepting, int? MaxOpenHandovers, DateOnly? NoCapacityUntil, string? Note);
