using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Endpoints;

/// <param name="Url">The organisation's HTTPS endpoint; it must resolve to public addresses only.</param>
/// <param name="EventTypes">Event types to receive (GET /reference/webhook-event-types); none = all that concern it.</param>
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes);

public sealed record WebhookResponse(Guid Id, string Url, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt);

/// <param name="Secret">The HMAC-SHA256 key to verify X-Imsa-Signature with. Shown only in this response.</param>
public sealed record WebhookCreatedResponse(Guid Id, string Url, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt, string Secret);

/// <param name="Secret">The new HMAC-SHA256 key. Shown only in this response.</param>
/// <param name="PreviousSecretValidUntil">Until then deliveries carry a second signature, made with the previous secret.</param>
public sealed record WebhookSecretRotatedResponse(Guid Id, string Secret, DateTimeOffset PreviousSecretValidUntil);

public sealed record WebhookDeliveryResponse(
    Guid Id,
    Guid EventId,
    string EventType,
    WebhookDeliveryStatus Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt);

internal static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/organisations/{id:guid}/webhooks").WithTags("Webhooks").ForAdministrators();

        webhooks.MapPost("/", CreateAsync)
            .WithQuota(PartnersServices.Webhooks)
            .WithSummary("Subscribe an HTTPS endpoint to the events that concern the organisation")
            .WithDescription("Offers received, acceptances, declines, withdrawals, revocations, outcomes, escalations, consent withdrawals: "
                + "JSON with ids and codes only, signed: X-Imsa-Signature = \"sha256=\" + hex(HMAC-SHA256(secret, X-Imsa-Timestamp + \".\" + body)); "
                + "X-Imsa-Event-Id to de-duplicate. The secret is shown once. Endpoints resolving to internal addresses are refused.")
            .KeepsNoAnswer()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapGet("/", ListAsync)
            .WithSummary("The organisation's webhook subscriptions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/{webhookId:guid}", DeleteAsync)
            .WithSummary("End a webhook subscription")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{webhookId:guid}/secret", RotateSecretAsync)
            .WithSummary("Rotate a subscription's secret")
            .WithDescription("Answers a new secret, shown once. Until previousSecretValidUntil (Webhooks:SecretOverlap, 24 hours by default) every "
                + "delivery carries two signatures in X-Imsa-Signature, comma-separated: with the new secret, then with the previous one; "
                + "accept a delivery when one of them verifies, switch to the new secret, and the old one stops by itself. Rotating again "
                + "within that time ends the older secret at once.")
            .KeepsNoAnswer()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("/{webhookId:guid}/deliveries", DeliveriesAsync)
            .WithSummary("The delivery log of a subscription, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/redeliver", RedeliverAsync)
            .WithSummary("Deliver an event again (same event id)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/reference/webhook-event-types", () => TypedResults.Ok(WebhookEventTypes.All))
            .WithTags("Reference data")
            .AllowAnonymous()
            .WithSummary("Webhook event types");
        return app;
    }

    private static async Task<Results<Created<WebhookCreatedResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, CreateWebhookRequest request, ClaimsPrincipal user, PartnersDbContext db, WebhookTargets targets, WebhookSecrets secrets,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.OrganisationId() != id)
        {
            return Problems.NotFound("Organisation");
        }

        var errors = new Dictionary<string, string[]>();
        if (await targets.RefusalAsync(request.Url, cancellationToken) is { } refusal)
        {
            errors["url"] = [refusal];
        }

        var types = request.EventTypes ?? [];
        if (types.Where(t => !WebhookEventTypes.All.Contains(t)).ToList() is { Count: > 0 } unknown)
        {
            errors["eventTypes"] = [$"Unknown event types: {string.Join(", ", unknown)} (GET /reference/webhook-event-types)."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            OrganisationId = id,
            Url = request.Url!,
            EventTypes = [.. types.Distinct(StringComparer.Ordinal)],
            CreatedAt = time.GetUtcNow(),
        };
        var secret = secrets.Issue(subscription);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            $"/organisations/{id}/webhooks/{subscription.Id}",
            new WebhookCreatedResponse(subscription.Id, subscription.Url, subscription.EventTypes, subscription.CreatedAt, secret));
    }

    private static async Task<Results<Ok<WebhookSecretRotatedResponse>, ProblemHttpResult>> RotateSecretAsync(
        Guid id, Guid webhookId, ClaimsPrincipal user, PartnersDbContext db, WebhookSecrets secrets, IOptions<WebhookOptions> options,
        CancellationToken cancellationToken)
    {
        var subscription = await OwnAsync(db, user, id, webhookId, cancellationToken);
        if (subscription is null)
        {
            return Problems.NotFound("Webhook");
        }

        var secret = secrets.Rotate(subscription, options.Value.SecretOverlap);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The subscription changed meanwhile; rotate again.");
        }

        return TypedResults.Ok(new WebhookSecretRotatedResponse(subscription.Id, secret, subscription.PreviousSecretUntil!.Value));
    }

    private static async Task<Results<Ok<List<WebhookResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        if (user.OrganisationId() != id)
        {
            return Problems.NotFound("Organisation");
        }

        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.OrganisationId == id && s.DeletedAt == null)
            .OrderBy(s => s.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(subscriptions.Select(s => new WebhookResponse(s.Id, s.Url, s.EventTypes, s.CreatedAt)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, Guid webhookId, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var subscription = await OwnAsync(db, user, id, webhookId, cancellationToken);
        if (subscription is null)
        {
            return Problems.NotFound("Webhook");
        }

        subscription.DeletedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<WebhookDeliveryResponse>>, ProblemHttpResult>> DeliveriesAsync(
        Guid id, Guid webhookId, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        if (await OwnAsync(db, user, id, webhookId, cancellationToken) is null)
        {
            return Problems.NotFound("Webhook");
        }

        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == webhookId)
            .OrderByDescending(d => d.CreatedAt)
            .Take(500)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(deliveries.Select(d => new WebhookDeliveryResponse(
            d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.NextAttemptAt, d.DeliveredAt)).ToList());
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RedeliverAsync(
        Guid id, Guid webhookId, Guid deliveryId, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await OwnAsync(db, user, id, webhookId, cancellationToken) is null)
        {
            return Problems.NotFound("Webhook");
        }

        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == webhookId, cancellationToken);
        if (delivery is null)
        {
            return Problems.NotFound("Delivery");
        }

        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = time.GetUtcNow();
        delivery.ClaimedUntil = null;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/organisations/{id}/webhooks/{webhookId}/deliveries");
    }

    private static Task<WebhookSubscription?> OwnAsync(PartnersDbContext db, ClaimsPrincipal user, Guid id, Guid webhookId, CancellationToken cancellationToken) =>
        user.OrganisationId() == id
            ? db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == webhookId && s.OrganisationId == id && s.DeletedAt == null, cancellationToken)
            : Task.FromResult<WebhookSubscription?>(null);
}
