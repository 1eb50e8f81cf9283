namespace Imsa.Network.Partners.Data;

/// <summary>
/// Keeps this instance's directory index fresh off the request path: builds it once as the service starts (readiness
/// does not wait for it, and the first matching request finds it built or joins the build instead of paying for it,
/// about a second with 20,000 services), then reads <c>directory_state</c> once per
/// <see cref="DirectoryCatalog.CheckInterval"/> and rebuilds or reloads the open counts when another replica, a
/// consumer or an operator has moved it. Queries keep being answered from the previous snapshot meanwhile.
/// </summary>
internal sealed partial class DirectoryRefresh(DirectoryCatalog catalog, ILogger<DirectoryRefresh> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failing = false;
        using var timer = new PeriodicTimer(DirectoryCatalog.CheckInterval);
        do
        {
            try
            {
                var first = catalog.Current is null;
                await catalog.CheckAsync(stoppingToken);
                if (first && catalog.Current is { } built)
                {
                    LogBuilt(built.Count);
                }

                if (failing)
                {
                    failing = false;
                    LogRecovered();
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage, not once a second: queries go on with the last snapshot.
                if (!failing)
                {
                    failing = true;
                    LogFailed(ex.GetType().Name, catalog.Current is not null);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory index built at start: {Services} receiving services")]
    private partial void LogBuilt(int services);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Directory not checked ({ExceptionType}; index built: {Built}); retrying every second, queries use the last index")]
    private partial void LogFailed(string exceptionType, bool built);

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory checked again after a failure")]
    private partial void LogRecovered();
}
