using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.Pages.Cases;
using Microsoft.AspNetCore.Mvc;

namespace Imsa.Network.Web.Pages.Organisation;

/// <summary>A person of the organisation as Partners shows them to its admins (GET /organisations/{id}/people).</summary>
internal sealed record PersonView(Guid Id, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, string? DisplayName, string? Email);

/// <summary>An open invitation as Partners shows it to the organisation (GET /organisations/{id}/people/invitations).</summary>
internal sealed record InvitationView(Guid Id, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string? Email, string? DisplayName);

/// <summary>
/// The organisation's people: the list, each person's role changed with a select and a button (a refusal is shown at
/// that person's select), an invitation by e-mail with a role and optionally a name and the language of the enrolment
/// pages, the open invitations with cancellation after a confirmation (<c>?cancel={invitation}</c>), and deactivation
/// after a confirmation (<c>?deactivate={person}</c>). Confirmations are shown by a link; the forms post.
/// </summary>
internal sealed class PeopleModel(NetworkApi api) : OrganisationPage(api)
{
    public static readonly IReadOnlyList<string> Roles = ["counsellor", "organisation-admin"];

    public IReadOnlyList<PersonView> People { get; private set; } = [];

    public IReadOnlyList<InvitationView> Invitations { get; private set; } = [];

    /// <summary>The person the admin is asked to confirm the deactivation of.</summary>
    public PersonView? ToDeactivate { get; private set; }

    /// <summary>The invitation the admin is asked to confirm the cancellation of.</summary>
    public InvitationView? ToCancel { get; private set; }

    /// <summary>The person whose role change Partners refused, and why: shown at that person's select.</summary>
    public (Guid PersonId, ApiProblem Problem)? RoleRefusal { get; private set; }

    public string? Done { get; private set; }

    public Guid Me => Guid.TryParse(User.FindFirst("sub")?.Value, out var me) ? me : Guid.Empty;

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string Role { get; set; } = "counsellor";

    [BindProperty]
    public string? DisplayName { get; set; }

    /// <summary>The language the invitation's enrolment pages open in; the page's own language until chosen.</summary>
    [BindProperty]
    public string Language { get; set; } = Languages.Current.Code;

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(string? done, Guid? deactivate, Guid? cancel, CancellationToken cancellationToken)
    {
        Done = done is "invited" or "deactivated" or "invitation-cancelled" or "role-changed" ? done : null;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        ToDeactivate = People.FirstOrDefault(person => person.Id == deactivate && person.Status != "deactivated" && person.Id != Me);
        ToCancel = Invitations.FirstOrDefault(invitation => invitation.Id == cancel);
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(
            HttpMethod.Post,
            Own("people/invitations"),
            new { email = Email?.Trim(), role = Role, displayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim(), language = Language },
            IdempotencyKey,
            cancellationToken);
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

    public async Task<IActionResult> OnPostRoleAsync(Guid personId, string? newRole, CancellationToken cancellationToken)
    {
        // A PUT: sent twice, it changes the role once.
        var result = await SendAsync<PersonView>(HttpMethod.Put, Own($"people/{personId}/role"), new { role = newRole }, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "role-changed" });
        }

        RoleRefusal = (personId, result.Problem!);
        return await ReloadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCancelInvitationAsync(Guid invitationId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(HttpMethod.Delete, Own($"people/invitations/{invitationId}"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "invitation-cancelled" });
        }

        Problem = result.Problem;
        return await ReloadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid personId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<PersonView>(HttpMethod.Post, Own($"people/{personId}/deactivate"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "deactivated" });
        }

        Problem = result.Problem;
        return await ReloadAsync(cancellationToken);
    }

    /// <summary>The translated message for a refused role change: the last admin's (409), the role's, or the general one.</summary>
    public static string RoleRefusalText(ApiProblem problem) => problem.Status switch
    {
        StatusCodes.Status409Conflict => "org.people.role-409",
        StatusCodes.Status400BadRequest or StatusCodes.Status422UnprocessableEntity => "org.error.role",
        _ => CasesModel.ProblemText(problem),
    };

    /// <summary>How the page names a person or an invitation: the name, else the address.</summary>
    public static string Named(string? displayName, string? email) => displayName ?? email ?? "";

    private async Task<IActionResult> ReloadAsync(CancellationToken cancellationToken)
    {
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var people = await GetAsync<List<PersonView>>(Own("people"), cancellationToken);
        var invitations = await GetAsync<List<InvitationView>>(Own("people/invitations"), cancellationToken);
        Problem ??= people.Problem ?? invitations.Problem;
        People = people.Value ?? [];
        Invitations = invitations.Value ?? [];
    }
}
