using System.Text.RegularExpressions;
using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;

namespace Imsa.Network.Web.Pages.Organisation;

/// <summary>
/// What the organisation admin's pages share: they are for the role <c>organisation-admin</c> only (anyone else gets
/// the 403 page; Partners would refuse them too), they call Partners at <c>/organisations/{org}/…</c> with the
/// person's token, and they mark the fields a refusal names.
/// </summary>
[Authorize(Roles = AdminRole)]
internal abstract class OrganisationPage(NetworkApi api) : PageModel
{
    public const string AdminRole = "organisation-admin";

    /// <summary>A secret is kept in memory from the answer that made it to the page that shows it, not longer.</summary>
    private static readonly TimeSpan SecretKeptFor = TimeSpan.FromMinutes(5);

    public ApiProblem? Problem { get; protected set; }

    protected NetworkApi Api => api;

    protected string OrganisationId => User.FindFirst("org")?.Value ?? "";

    /// <summary>The organisation's own resources at Partners: <c>organisations/{id}/{path}</c>.</summary>
    protected string Own(string path) => $"organisations/{Uri.EscapeDataString(OrganisationId)}/{path}".TrimEnd('/');

    protected Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken cancellationToken)
        where T : class =>
        api.GetAsync<T>(SignInEndpoints.PartnersClient, path, cancellationToken);

    protected Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken cancellationToken)
        where T : class =>
        api.SendAsync<T>(SignInEndpoints.PartnersClient, method, path, body, idempotencyKey, cancellationToken);

    /// <summary>Whether the refusal names <paramref name="field"/> (as the API spells it: "url", "address.city", "contacts[0].email").</summary>
    public bool Refused(string field) => Problem?.Fields.Contains(field, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>The field's aria-invalid: "true" when refused, else no attribute.</summary>
    public string? Invalid(string field) => Refused(field) ? "true" : null;

    /// <summary>The field's aria-describedby: its hint (if any) and, when refused, its error.</summary>
    public string? DescribedBy(string id, string field, bool hint = false)
    {
        var ids = string.Join(' ', new[] { hint ? id + "-hint" : null, Refused(field) ? id + "-error" : null }.OfType<string>());
        return ids.Length == 0 ? null : ids;
    }

    /// <summary>The model of the partial <c>_Error</c> for a field.</summary>
    public FieldRefusal Error(string id, string field) => new(id, field, Refused(field));

    /// <summary>A page-level refusal is shown unless a field already says what went wrong.</summary>
    public ApiProblem? PageProblem => Problem is { Fields.Count: 0 } or { Status: not (400 or 422) } ? Problem : null;

    /// <summary>Keeps a secret for the one page that shows it, keyed to the person (never in a URL or a log).</summary>
    protected void KeepSecret(IMemoryCache memory, string what, string id, string secret) =>
        memory.Set(SecretKey(what, id), secret, SecretKeptFor);

    /// <summary>The secret, taken out of memory as it is shown: a reload finds nothing.</summary>
    protected string? TakeSecret(IMemoryCache memory, string what, string id)
    {
        var key = SecretKey(what, id);
        if (memory.TryGetValue(key, out string? secret))
        {
            memory.Remove(key);
        }

        return secret;
    }

    /// <summary>The message for a refused field: its own ("org.error.url", "org.error.contacts[].email"), else the general one.</summary>
    public static string ErrorText(Texts texts, string field)
    {
        var general = Regex.Replace(field, @"\[\d+\]", "[]");
        var own = texts.Code("org.error.", general);
        return own == general ? texts["problem.field"] : own;
    }

    /// <summary>The translated message's key for a refusal the page shows above its forms.</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status switch
    {
        409 => "org.problem.409",
        _ => CasesModel.ProblemText(problem),
    };

    private string SecretKey(string what, string id) => $"organisation-secret:{User.FindFirst("sub")?.Value}:{what}:{id}";
}

/// <summary>The partial <c>_Error</c>'s model: the field's id on the page, its name in the API, whether it was refused.</summary>
internal sealed record FieldRefusal(string Id, string Field, bool Refused);
