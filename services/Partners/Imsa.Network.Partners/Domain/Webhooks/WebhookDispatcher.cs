using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>The signature a receiver checks: HMAC-SHA256 over "{timestamp}.{body}" with the subscription's secret.</summary>
public static class WebhookSignature
{
    public const string EventIdHeader = "X-Imsa-Event-Id";
    public const string TimestampHeader = "X-Imsa-Timestamp";
    public const string SignatureHeader = "X-Imsa-Signature";

    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}.{body}"))));

    /// <summary>The header's value: one signature per secret, comma-separated (two while a rotated secret still holds).</summary>
    public static string Sign(IEnumerable<string> secrets, long timestamp, string body) =>
        string.Join(",", secrets.Select(secret => Sign(secret, timestamp, body)));
}

/// <summary>
/// Delivers pending webhook deliveries: each endpoint has a Polly pipeline of its own (quick retries with
/// exponential backoff and jitter, a circuit breaker, a timeout per try); a delivery that still fails is tried
/// again later with growing backoff, and marked failed after the configured attempts (redelivery on request).
/// Deliveries are claimed for a minute, so several instances share the work without sending one twice at a time.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory clients, TimeProvider time, IOptions<WebhookOptions> options, WebhookSecrets secrets,
    IOptions<EncryptionOptions> encryption, PartnersMetrics metrics, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private DateTimeOffset _nextRefresh = DateTimeOffset.MinValue;

    public const string ClientName = "webhooks";
    private const int BatchSize = 50;

    private readonly ConcurrentDictionary<Guid, ResiliencePipeline<HttpResponseMessage>> _pipelines = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex.GetType().Name);
            }

            if (sent < BatchSize)
            {
                try
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PartnersDbContext>();
        var now = time.GetUtcNow();
        if (now >= _nextRefresh)
        {
            // Now and then: secrets sealed by a master key no longer active, or still in clear, are sealed anew; and
            // the deliveries about erased cases that went out since are deleted.
            _nextRefresh = now + encryption.Value.RotationInterval;
            await secrets.RefreshAsync(db, cancellationToken);
            await ErasedCaseDeliveries.PurgeAsync(db, null, cancellationToken);
        }

        // Long enough for a batch of slow endpoints (timeout × tries each), so no other instance takes them meanwhile.
        var claimedUntil = now.AddMinutes(10);
        var claimed = await db.WebhookDeliveries
            .FromSql($"""
                UPDATE webhook_deliveries SET claimed_until = {claimedUntil}
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'Pending' AND next_attempt_at <= {now} AND (claimed_until IS NULL OR claimed_until < {now})
                    ORDER BY next_attempt_at LIMIT {BatchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var subscriptionIds = claimed.Select(d => d.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        foreach (var delivery in claimed)
        {
            db.Attach(delivery);
            if (!subscriptions.TryGetValue(delivery.SubscriptionId, out var subscription) || subscription.DeletedAt is not null)
            {
                delivery.Status = WebhookDeliveryStatus.Failed;
                delivery.LastError = "The subscription was deleted.";
                metrics.WebhookFailed("subscription-deleted");
            }
            else
            {
                await DeliverAsync(subscription, delivery, cancellationToken);
            }

            delivery.ClaimedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }

        return claimed.Count;
    }

    private async Task DeliverAsync(WebhookSubscription subscription, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var pipeline = _pipelines.GetOrAdd(subscription.Id, _ => BuildPipeline(settings));
        var client = clients.CreateClient(ClientName);
        var signingSecrets = secrets.SigningSecrets(subscription);
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async token =>
                {
                    // A fresh request each try: the timestamp and signature are of this try.
                    var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
                    using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
                    {
                        Content = new StringContent(delivery.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
                    };
                    request.Headers.Add(WebhookSignature.EventIdHeader, delivery.EventId.ToString());
                    request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(signingSecrets, timestamp, delivery.Payload));
                    // The status is the answer: the body is never read, so a huge or endless one cannot hold the
                    // dispatcher (the handler's limits bound the headers and what is drained on disposal).
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                cancellationToken);
            delivery.Attempts++;
            delivery.LastStatusCode = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                delivery.Status = WebhookDeliveryStatus.Delivered;
                delivery.DeliveredAt = time.GetUtcNow();
                delivery.LastError = null;
                metrics.WebhookDelivered();
                return;
            }

            Reschedule(delivery, $"HTTP {(int)response.StatusCode}", settings);
        }
        catch (BrokenCircuitException)
        {
            // The endpoint is known to be down: wait for the circuit, without using up an attempt.
            delivery.LastError = "Circuit open: the endpoint kept failing.";
            delivery.NextAttemptAt = time.GetUtcNow() + settings.BreakDuration;
            metrics.WebhookFailed("circuit-open");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            delivery.Attempts++;
            delivery.LastStatusCode = null;
            Reschedule(delivery, ex.GetType().Name, settings);
        }
    }

    private void Reschedule(WebhookDelivery delivery, string error, WebhookOptions settings)
    {
        delivery.LastError = error;
        if (delivery.Attempts >= settings.MaxAttempts)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            metrics.WebhookFailed("gave-up");
            LogGaveUp(delivery.Id, delivery.Attempts);
            return;
        }

        metrics.WebhookFailed("retrying");

        var backoff = settings.InitialBackoff * Math.Pow(2, delivery.Attempts - 1);
        delivery.NextAttemptAt = time.GetUtcNow() + (backoff < settings.MaxBackoff ? backoff : settings.MaxBackoff);
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(WebhookOptions settings)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = settings.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = settings.BreakDuration,
            })
            .AddTimeout(settings.Timeout)
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} failed after {Attempts} attempts; redeliver it on request")]
    private partial void LogGaveUp(Guid deliveryId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook dispatch run failed ({ExceptionType}); retrying")]
    private partial void LogFailed(string exceptionType);
}
