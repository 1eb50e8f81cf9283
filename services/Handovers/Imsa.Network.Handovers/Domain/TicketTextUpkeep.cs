using Imsa.Network.Access;
using Imsa.Network.Handovers.Data;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// Every <see cref="EncryptionOptions.RotationInterval"/>: wraps the case text keys again under the active master key
/// after a rotation, and seals ticket text still kept in clear from before sealing existed (<see cref="TicketTexts.RefreshAsync"/>).
/// Safe with several instances: two that seal the same row at once both write a valid value (the last one stays); a
/// step taken on the ticket meanwhile wins by its version, this pass fails and the next one finds the row sealed.
/// </summary>
internal sealed partial class TicketTextUpkeep(
    IServiceScopeFactory scopes, IOptions<EncryptionOptions> options, ILogger<TicketTextUpkeep> logger) : PeriodicJob(logger)
{
    private const int BatchSize = 200;

    protected override TimeSpan Interval => options.Value.RotationInterval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var changed = await scope.ServiceProvider.GetRequiredService<TicketTexts>()
            .RefreshAsync(scope.ServiceProvider.GetRequiredService<HandoversDbContext>(), BatchSize, cancellationToken);
        if (changed > 0)
        {
            LogRefreshed(changed, options.Value.ActiveKeyId);
        }

        return changed >= BatchSize;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed anew {Count} case text keys or ticket texts under master key {ActiveKeyId}")]
    private partial void LogRefreshed(int count, string activeKeyId);
}
