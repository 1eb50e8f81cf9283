using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Imsa.Network.Bench;

/// <summary>
/// A service's environment as deploy/environment/{name}.env describes it, the one description deploy/local/run.sh
/// and deploy/compose use too: KEY=value lines whose ${IMSA_...} placeholders are filled in from the run's values.
/// The rules are those of deploy/local/infra.sh (imsa_service_env): a placeholder the run has no value for, a
/// malformed line, a key given twice, or what Compose would read differently (quotes, an inline comment, trailing
/// blanks, a "$" that is not a placeholder) is an error naming the file and line.
/// </summary>
public static partial class ServiceEnvironment
{
    /// <summary>deploy/environment of the checkout the bench was built in (else ./deploy/environment).</summary>
    public static string FilesDirectory { get; } = DefaultDirectory();

    /// <summary>deploy/environment/{service}.env (lower-case name) with its placeholders filled in.</summary>
    public static Dictionary<string, string> Load(string service, IReadOnlyDictionary<string, string> placeholders)
    {
        ArgumentNullException.ThrowIfNull(service);
        var path = Path.Combine(FilesDirectory, $"{service.ToLowerInvariant()}.env");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} does not exist: the bench reads the services' environment from deploy/environment/ of its checkout.");
        }

        return Parse(File.ReadAllText(path), path, placeholders);
    }

    /// <param name="source">Where the text is from, for the error messages.</param>
    public static Dictionary<string, string> Parse(string text, string source, IReadOnlyDictionary<string, string> placeholders)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(placeholders);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var where = $"{source}:{number}";
            var match = KeyValue().Match(line);
            if (!match.Success)
            {
                throw new InvalidOperationException($"{where}: not KEY=value (a letter or _ first, then letters, digits, _): {line}");
            }

            var (key, value) = (match.Groups[1].Value, match.Groups[2].Value);
            if (!lines.TryAdd(key, number))
            {
                throw new InvalidOperationException($"{where}: {key} is already set on line {lines[key]}");
            }

            if (value.StartsWith('"') || value.StartsWith('\'') || value.Contains(" #", StringComparison.Ordinal) || (value.Length > 0 && char.IsWhiteSpace(value[^1])))
            {
                throw new InvalidOperationException($"{where}: no quotes, inline comments or trailing blanks in a value (Compose would read them differently)");
            }

            environment[key] = Fill(value, where, key, placeholders);
        }

        return environment;
    }

    /// <summary>
    /// The environment a bench run starts a service with: its file filled in, then the run's own settings over it:
    /// log level Warning (warnings and errors only, so the service's JSON console log costs nothing per request),
    /// --npgsql settings added to its connection string, and the --service-env NAME=VALUE items, which replace
    /// whatever the key had.
    /// </summary>
    public static Dictionary<string, string> ForRun(
        string service, IReadOnlyDictionary<string, string> placeholders, string? npgsqlSettings, IEnumerable<string> serviceEnvironment)
    {
        ArgumentNullException.ThrowIfNull(serviceEnvironment);
        var environment = Load(service, placeholders);
        environment["Logging__LogLevel__Default"] = "Warning";
        if (npgsqlSettings is not null)
        {
            environment["ConnectionStrings__Database"] += $";{npgsqlSettings}";
        }

        foreach (var variable in serviceEnvironment)
        {
            var at = variable.IndexOf('=', StringComparison.Ordinal);
            environment[variable[..at]] = variable[(at + 1)..];
        }

        return environment;
    }

    /// <summary>
    /// The token placeholders for a run: an RSA key pair made for it (IMSA_TOKEN_SIGNING_KEY, IMSA_TOKEN_VALIDATION_KEYS),
    /// Partners' address as the issuer, and the bootstrap coordinator's client id and secret.
    /// </summary>
    public static void AddRunIdentity(IDictionary<string, string> placeholders, Uri issuer, string coordinatorClientId, string coordinatorSecret)
    {
        ArgumentNullException.ThrowIfNull(placeholders);
        ArgumentNullException.ThrowIfNull(issuer);
        using var rsa = RSA.Create(2048);
        placeholders["IMSA_TOKEN_ISSUER"] = issuer.ToString();
        placeholders["IMSA_TOKEN_VALIDATION_KEYS"] = rsa.ExportSubjectPublicKeyInfoPem();
        placeholders["IMSA_TOKEN_SIGNING_KEY"] = rsa.ExportPkcs8PrivateKeyPem();
        placeholders["IMSA_COORDINATOR_CLIENT_ID"] = coordinatorClientId;
        placeholders["IMSA_COORDINATOR_CLIENT_SECRET"] = coordinatorSecret;
        placeholders["IMSA_PEOPLE_TOKEN_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        placeholders["IMSA_SIGN_IN_CLIENT_ID"] = "imsa-bench-sign-in";
        placeholders["IMSA_SIGN_IN_CLIENT_SECRET"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        placeholders["IMSA_SIGN_IN_REDIRECT_URI"] = "http://127.0.0.1:8400/signed-in";
        placeholders["IMSA_WEB_CLIENT_SECRET"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        placeholders["IMSA_WEB_PUBLIC_URL"] = "http://localhost:5104/";
    }

    private static string Fill(string value, string where, string key, IReadOnlyDictionary<string, string> placeholders)
    {
        var filled = new StringBuilder();
        var rest = value;
        for (var dollar = rest.IndexOf('$', StringComparison.Ordinal); dollar >= 0; dollar = rest.IndexOf('$', StringComparison.Ordinal))
        {
            filled.Append(rest, 0, dollar);
            var match = Placeholder().Match(rest, dollar);
            if (!match.Success || match.Index != dollar)
            {
                throw new InvalidOperationException($"{where}: a $ that is not a placeholder ${{IMSA_...}}");
            }

            var name = match.Groups[1].Value;
            if (!placeholders.TryGetValue(name, out var replacement) || string.IsNullOrEmpty(replacement))
            {
                throw new InvalidOperationException(
                    $"{where}: ${{{name}}} for {key} has no value in this run (the bench fills in {string.Join(", ", placeholders.Keys.Order(StringComparer.Ordinal))})");
            }

            filled.Append(replacement);
            rest = rest[(dollar + match.Length)..];
        }

        return filled.Append(rest).ToString();
    }

    private static string DefaultDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "deploy", "environment");
            if (File.Exists(Path.Combine(candidate, "partners.env")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine("deploy", "environment"));
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"\G\$\{(IMSA_[A-Z0-9_]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
