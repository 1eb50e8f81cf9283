using System.Net;
using System.Net.Sockets;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// Debian's Chromium, driven by Playwright (its own browser download is not used: the system browser is launched by
/// its path, IMSA_CHROMIUM or /usr/bin/chromium). One browser per test class; each person gets a context of their own.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>
    /// How long a click, a navigation or an expectation may wait: generous, because CI runs the browser beside the
    /// whole suite on two cores; a page that never comes still fails.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A fresh browser context (one person's browser: own cookies), patient as above.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        return context;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        Assertions.SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("IMSA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
        });
        return new Chromium(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

/// <summary>What every browser test checks and keeps on every page it visits.</summary>
public static class Pages
{
    /// <summary>Where screenshots go: IMSA_TEST_SCREENSHOTS (test.sh: next to the test results), else the test's output folder.</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("IMSA_TEST_SCREENSHOTS") is { Length: > 0 } directory
            ? directory
            : Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    private static readonly object Weights = new();

    /// <summary>
    /// The page's weight (recorded in page-weight.tsv next to the screenshots), then axe-core's WCAG 2.2 A/AA rules on the page as it is now; fails on any serious or critical violation. Keeps a
    /// screenshot named after the step.
    /// </summary>
    public static async Task ReviewAsync(this IPage page, string step)
    {
        // What this page cost the connection: the document and every asset not already in the browser's cache
        // (a cached one transfers 0 bytes). Issue 14's budget for a slow mobile connection: about 150 KB.
        var transferred = await page.EvaluateAsync<long>(
            "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((sum, e) => sum + (e.transferSize || 0), 0)");
        lock (Weights)
        {
            File.AppendAllText(Path.Combine(ScreenshotDirectory, "page-weight.tsv"), $"{step}\t{new Uri(page.Url).AbsolutePath}\t{transferred}\n");
        }

        transferred.Should().BeLessThan(150 * 1024, $"the page of step \"{step}\" should stay light on a slow connection");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{step}.png"), FullPage = true });
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Html))}")
            .ToList();
        serious.Should().BeEmpty($"the page of step \"{step}\" ({page.Url}) should pass axe-core");
    }

    /// <summary>A TCP port free now on this machine, for a server that must know its own address before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
