using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imsa.Network.ServiceDefaults;

/// <summary>Deletes idempotency keys past their retention (<see cref="IdempotencyOptions.Retention"/>), in batches.</summary>
internal sealed class IdempotencyRetention(
    IServiceScopeFactory scopes, IOptions<IdempotencyOptions> options, TimeProvider time, ILogger<IdempotencyRetention> logger)
    : PeriodicJob(logger)
{
    protected override TimeSpan Interval => options.Value.CleanupInterval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        return await IdempotentRequestsModel.DeleteExpiredAsync(db, options.Value, time.GetUtcNow(), cancellationToken) >= options.Value.BatchSize;
    }
}
