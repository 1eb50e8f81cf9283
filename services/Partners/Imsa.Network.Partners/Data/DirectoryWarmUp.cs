namespace Imsa.Network.Partners.Data;

/// <summary>
/// Builds the directory index once, in the background, as the service starts: readiness does not wait for it, and
/// the first matching request finds it built (or joins the build under way) instead of paying for it — about a
/// second with 20,000 services. If the database is not there yet, the first request builds it, as it always could.
/// </summary>
internal sealed partial class DirectoryWarmUp(IServiceScopeFactory scopes, DirectoryCatalog catalog, ILogger<DirectoryWarmUp> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var index = await catalog.GetAsync(scope.ServiceProvider.GetRequiredService<PartnersDbContext>(), stoppingToken);
            LogBuilt(index.Count);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogNotBuilt(ex.GetType().Name);
        }
        catch (OperationCanceledException)
        {
            // Stopping before the index was needed.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Directory index built at start: {Services} receiving services")]
    private partial void LogBuilt(int services);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Directory index not built at start ({ExceptionType}); the first matching request builds it")]
    private partial void LogNotBuilt(string exceptionType);
}
