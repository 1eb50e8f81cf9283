using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace Imsa.Network.Web.Pages.Organisation;

internal sealed record ApiClientView(
    string ClientId, string Name, DateTimeOffset CreatedAt, DateTimeOffset SecretRotatedAt, DateTimeOffset? RevokedAt, IReadOnlyList<string> RedirectUris);

/// <summary>A client's credentials as Partners answers a creation or a rotation: the secret, this once.</summary>
internal sealed record ClientCredentialsView(string ClientId, string ClientSecret);

/// <summary>
/// The organisation's API clients (its systems' credentials): the list, a new one, a new secret for one, revoking
/// one — the last two after a confirmation (<c>?confirm=rotate|revoke&amp;client=…</c>). A new secret goes from
/// Partners' answer into memory and is taken out as the page after the redirect shows it: a reload shows it no more.
/// </summary>
internal sealed class ClientsModel(NetworkApi api, IMemoryCache memory) : OrganisationPage(api)
{
    public IReadOnlyList<ApiClientView> Clients { get; private set; } = [];

    /// <summary>The client whose new secret this page shows, and the secret (once).</summary>
    public string? SecretFor { get; private set; }

    public string? Secret { get; private set; }

    /// <summary>The action (rotate, revoke) and the client the admin is asked to confirm it for.</summary>
    public (string Action, ApiClientView Client)? Confirm { get; private set; }

    public string? Done { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? RedirectUris { get; set; }

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(string? secret, string? confirm, string? client, string? done, CancellationToken cancellationToken)
    {
        Done = done is "revoked" ? done : null;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (secret is { Length: > 0 })
        {
            SecretFor = secret;
            Secret = TakeSecret(memory, "client", secret);
        }

        await LoadAsync(cancellationToken);
        if (confirm is "rotate" or "revoke" && Clients.FirstOrDefault(c => c.ClientId == client && c.RevokedAt is null) is { } found)
        {
            Confirm = (confirm, found);
        }
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var uris = (RedirectUris ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = await SendAsync<ClientCredentialsView>(
            HttpMethod.Post, Own("clients"), new { name = Name?.Trim(), redirectUris = uris }, IdempotencyKey, cancellationToken);
        return await ShowSecretAsync(result, cancellationToken);
    }

    public async Task<IActionResult> OnPostRotateAsync(string client, CancellationToken cancellationToken)
    {
        var result = await SendAsync<ClientCredentialsView>(
            HttpMethod.Post, Own($"clients/{Uri.EscapeDataString(client)}/rotate"), body: null, IdempotencyKey, cancellationToken);
        return await ShowSecretAsync(result, cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(string client, CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(HttpMethod.Delete, Own($"clients/{Uri.EscapeDataString(client)}"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "revoked" });
        }

        return await RefusedAsync(result.Problem!, cancellationToken);
    }

    private async Task<IActionResult> ShowSecretAsync(ApiResult<ClientCredentialsView> result, CancellationToken cancellationToken)
    {
        if (result.Value is { } credentials)
        {
            KeepSecret(memory, "client", credentials.ClientId, credentials.ClientSecret);
            return RedirectToPage(new { secret = credentials.ClientId });
        }

        return await RefusedAsync(result.Problem ?? ApiProblem.Unreachable, cancellationToken);
    }

    private async Task<IActionResult> RefusedAsync(ApiProblem problem, CancellationToken cancellationToken)
    {
        Problem = problem;
        if (!ReferenceEquals(problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var clients = await GetAsync<List<ApiClientView>>(Own("clients"), cancellationToken);
        Problem ??= clients.Problem;
        Clients = clients.Value ?? [];
    }
}
