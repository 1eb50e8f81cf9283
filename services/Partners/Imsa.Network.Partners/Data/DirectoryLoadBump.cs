using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Data;

/// <summary>
/// Bumps <c>directory_state.load_version</c> after handover events have moved receivers' open counts, so every
/// replica reloads the counts at its next check. It runs after the consumers' commits and on its own, in a
/// one-statement transaction at most once per <see cref="Coalescing"/>: no consumer transaction waits on the
/// directory's row (they used to, each bumping it inside its own transaction, so that all of them queued on one row
/// lock under load). Signals arriving while a bump runs or within the interval after it are served by the next one.
/// </summary>
internal sealed partial class DirectoryLoadBump(IServiceScopeFactory scopes, ILogger<DirectoryLoadBump> logger) : BackgroundService
{
    /// <summary>The least time between two bumps of one instance; with the check interval, how late matching sees a load.</summary>
    public static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(200);

    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Records that a committed transaction moved a receiver's load; never waits.</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        try
        {
            while (await _signals.Reader.WaitToReadAsync(stoppingToken))
            {
                _signals.Reader.TryRead(out _);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<PartnersDbContext>().Database.ExecuteSqlAsync(
                        $"UPDATE directory_state SET load_version = load_version + 1 WHERE id = 1", stoppingToken);
                    failing = false;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Kept for the next round; the replicas also reload the counts every 30 s whatever happens here.
                    Signal();
                    if (!failing)
                    {
                        failing = true;
                        LogFailed(ex.GetType().Name);
                    }
                }

                await Task.Delay(Coalescing, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; a pending bump is made up for by the replicas' periodic reload of the counts.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Directory load version not bumped ({ExceptionType}); retrying")]
    private partial void LogFailed(string exceptionType);
}
