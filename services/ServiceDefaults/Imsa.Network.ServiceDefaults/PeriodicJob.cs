using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// A job that runs a pass every <see cref="Interval"/>, and at once again while a pass reports it did a full batch;
/// a failed pass (the database away, say) is logged by exception type only — a message can quote data — and tried
/// again at the next interval. Passes must be safe with several instances running them.
/// </summary>
public abstract partial class PeriodicJob(ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass; true when it did a full batch and another should follow at once.</summary>
    protected abstract Task<bool> RunPassAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunPassAsync(stoppingToken) && !stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, GetType().Name, ex.GetType().Name);
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Job} pass failed ({ExceptionType}); trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, string job, string exceptionType);
}
