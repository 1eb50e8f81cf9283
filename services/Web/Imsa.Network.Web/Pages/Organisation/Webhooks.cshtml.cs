using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace Imsa.Network.Web.Pages.Organisation;

internal sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt);

/// <summary>Partners' answer to a rotation: the new signing secret, this once.</summary>
internal sealed record WebhookSecretRotatedView(Guid Id, string Secret, DateTimeOffset PreviousSecretValidUntil);

/// <summary>Partners' answer to a new subscription: with the signing secret, this once.</summary>
internal sealed record WebhookCreatedView(Guid Id, string Url, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt, string Secret);

/// <summary>
/// The organisation's webhooks: the subscriptions, a new one (an https address and the event types of
/// <c>GET /reference/webhook-event-types</c>; none chosen means all), its signing secret shown once as the API
/// answered it, a new secret for one (the previous one keeps signing for a while), and ending one after a confirmation. Each has its delivery log (<see cref="DeliveriesModel"/>).
/// </summary>
internal sealed class WebhooksModel(NetworkApi api, IMemoryCache memory) : OrganisationPage(api)
{
    public IReadOnlyList<WebhookView> Webhooks { get; private set; } = [];

    public IReadOnlyList<string> EventTypeChoices { get; private set; } = [];

    public WebhookView? Created { get; private set; }

    public string? Secret { get; private set; }

    public WebhookView? ToDelete { get; private set; }

    /// <summary>The secret shown is a rotated one, not a new subscription's.</summary>
    public bool Rotated { get; private set; }

    public string? Done { get; private set; }

    [BindProperty]
    public string? WebhookUrl { get; set; }

    [BindProperty]
    public List<string> EventTypes { get; set; } = [];

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(Guid? created, Guid? delete, string? done, bool rotated, CancellationToken cancellationToken)
    {
        Rotated = rotated;
        Done = done is "deleted" ? done : null;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        Created = Webhooks.FirstOrDefault(webhook => webhook.Id == created);
        Secret = Created is null ? null : TakeSecret(memory, "webhook", Created.Id.ToString());
        ToDelete = Webhooks.FirstOrDefault(webhook => webhook.Id == delete);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync<WebhookCreatedView>(
            HttpMethod.Post, Own("webhooks"), new { url = WebhookUrl?.Trim(), eventTypes = EventTypes }, IdempotencyKey, cancellationToken);
        if (result.Value is { } created)
        {
            KeepSecret(memory, "webhook", created.Id.ToString(), created.Secret);
            return RedirectToPage(new { created = created.Id });
        }

        Problem = result.Problem ?? ApiProblem.Unreachable;
        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(Guid webhookId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<WebhookSecretRotatedView>(HttpMethod.Post, Own($"webhooks/{webhookId}/secret"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Value is { } rotated)
        {
            KeepSecret(memory, "webhook", rotated.Id.ToString(), rotated.Secret);
            return RedirectToPage(new { created = rotated.Id, rotated = true });
        }

        Problem = result.Problem ?? ApiProblem.Unreachable;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid webhookId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(HttpMethod.Delete, Own($"webhooks/{webhookId}"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { done = "deleted" });
        }

        Problem = result.Problem;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var webhooks = await GetAsync<List<WebhookView>>(Own("webhooks"), cancellationToken);
        Problem ??= webhooks.Problem;
        Webhooks = webhooks.Value ?? [];
        var types = await GetAsync<List<string>>("reference/webhook-event-types", cancellationToken);
        Problem ??= types.Problem;
        EventTypeChoices = types.Value ?? [];
    }
}
