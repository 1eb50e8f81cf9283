using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Imsa.Network.Web.Pages.Organisation;

internal sealed record DeliveryView(
    Guid Id, Guid EventId, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt);

/// <summary>A webhook's delivery log, newest first (Partners keeps the last 500), with "deliver again" for each.</summary>
internal sealed class DeliveriesModel(NetworkApi api) : OrganisationPage(api)
{
    public WebhookView? Webhook { get; private set; }

    public IReadOnlyList<DeliveryView> Deliveries { get; private set; } = [];

    public bool Redelivered { get; private set; }

    public async Task OnGetAsync(Guid webhookId, bool redelivered, CancellationToken cancellationToken)
    {
        Redelivered = redelivered;
        await LoadAsync(webhookId, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(Guid webhookId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var result = await SendAsync<object>(
            HttpMethod.Post, Own($"webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"), body: null, idempotencyKey: null, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { webhookId, redelivered = true });
        }

        Problem = result.Problem;
        await LoadAsync(webhookId, cancellationToken);
        return Page();
    }

    private async Task LoadAsync(Guid webhookId, CancellationToken cancellationToken)
    {
        // Partners reads one subscription only with its log; the list names its address.
        var webhooks = await GetAsync<List<WebhookView>>(Own("webhooks"), cancellationToken);
        Problem ??= webhooks.Problem;
        Webhook = webhooks.Value?.FirstOrDefault(webhook => webhook.Id == webhookId);
        if (Webhook is null)
        {
            Problem ??= new ApiProblem(StatusCodes.Status404NotFound, []);
            return;
        }

        var deliveries = await GetAsync<List<DeliveryView>>(Own($"webhooks/{webhookId}/deliveries"), cancellationToken);
        Problem ??= deliveries.Problem;
        Deliveries = deliveries.Value ?? [];
    }
}
