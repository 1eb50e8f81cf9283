using System.Diagnostics;

namespace Imsa.Network.Deployment.Tests;

/// <summary>
/// Renders a kustomization with <c>kubectl kustomize</c>, the kubectl found on PATH: the manifests must render with
/// Debian 12's kubectl 1.20 (kustomize v2.0.3) as well as with a current one (kustomize v5), so the tests use whichever
/// the machine has. Without kubectl the tests fail, naming how to get it: a check that cannot run has not passed.
/// </summary>
internal static class Kubectl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The kubectl executable on <paramref name="searchPath"/> (PATH's format), or an exception saying how to install it.</summary>
    public static string Find(string? searchPath)
    {
        foreach (var directory in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "kubectl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "kubectl is not on PATH, so the Kubernetes manifests cannot be rendered and checked. deploy/local/test.sh installs " +
            "it (Debian's kubernetes-client) when it is missing; by hand: apt-get install kubernetes-client.");
    }

    /// <summary>The YAML <c>kubectl kustomize</c> prints for <paramref name="directory"/>; its warnings (deprecated fields) are dropped.</summary>
    public static string Kustomize(string directory)
    {
        var kubectl = Find(Environment.GetEnvironmentVariable("PATH"));
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{kubectl} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {directory} did not finish within {Timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} exited with {process.ExitCode}:\n{errors.Result}");
        }

        return output.Result;
    }
}
