using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;
using OtpNet;

namespace Imsa.Network.Testing;

/// <summary>The application registered for sign-in in tests ("SignIn:Clients"), as the web application will be.</summary>
public static class TestSignIn
{
    public const string ClientId = "imsa-test-web";

    public const string ClientSecret = "test-web-application-secret-0123456789";

    public const string RedirectUri = "https://app.imsa.test/signed-in";

    public const string PostLogoutRedirectUri = "https://app.imsa.test/";

    public static Dictionary<string, string?> Settings => new()
    {
        ["SignIn:Clients:0:ClientId"] = ClientId,
        ["SignIn:Clients:0:ClientSecret"] = ClientSecret,
        ["SignIn:Clients:0:DisplayName"] = "IMSA web application (tests)",
        ["SignIn:Clients:0:RedirectUris:0"] = RedirectUri,
        ["SignIn:Clients:0:PostLogoutRedirectUris:0"] = PostLogoutRedirectUri,
    };
}

/// <summary>An enrolled person and what they know: address, password, authenticator key and recovery codes.</summary>
public sealed class TestPerson(Guid id, Guid organisationId, string email, string password, string authenticatorKey, IReadOnlyList<string> recoveryCodes, long lastStep)
{
    public Guid Id { get; } = id;

    public Guid OrganisationId { get; } = organisationId;

    public string Email { get; } = email;

    public string Password { get; } = password;

    public string AuthenticatorKey { get; } = authenticatorKey;

    public IReadOnlyList<string> RecoveryCodes { get; } = recoveryCodes;

    /// <summary>
    /// The next code the server will accept: each 30-second step's code works once, and one step either side of
    /// the server's now is accepted, so a code of a step after the last one used works at once, without waiting.
    /// The step before now is taken only early in the current step: late in it, a slow request would reach the
    /// server in the next step, where that code is one step too old. When the steps within reach are used up, it
    /// waits for the next step, as a person would wait for the authenticator's next code.
    /// </summary>
    public string NextCode()
    {
        while (true)
        {
            var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var now = seconds / 30;
            var step = Math.Max(lastStep + 1, seconds % 30 < 15 ? now - 1 : now);
            if (step <= now + 1)
            {
                lastStep = step;
                return new Totp(Base32Encoding.ToBytes(AuthenticatorKey)).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
            }

            Thread.Sleep(TimeSpan.FromSeconds(30 - (seconds % 30)) + TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>A code the authenticator showed ten minutes ago: always wrong.</summary>
    public string StaleCode() => new Totp(Base32Encoding.ToBytes(AuthenticatorKey)).ComputeTotp(DateTime.UtcNow.AddMinutes(-10));
}

public static class TestPeople
{
    public const string Password = "correct horse battery staple";

    /// <summary>Registers an organisation as a coordinator does; returns its id.</summary>
    public static async Task<Guid> RegisterOrganisationAsync(
        this HttpClient partners, string coordinatorToken, string kind = "origin-partner", string country = "MA", string? name = null)
    {
        var created = await partners.SendAsAsync(coordinatorToken, HttpMethod.Post, "/organisations", new { name = name ?? $"Organisation {Guid.NewGuid():N}", country, kind });
        await created.EnsureAsync(HttpStatusCode.Created);
        return Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
    }

    /// <summary>Invites a person with the organisation's token, and enrols them as they would: password, authenticator, code.</summary>
    public static async Task<TestPerson> EnrolPersonAsync(this HttpClient partners, string organisationToken, Guid organisationId, string role = "counsellor", string displayName = "Amal Haddad")
    {
        var email = $"p-{Guid.NewGuid():N}@ngo.example.org";
        var invited = await partners.SendAsAsync(organisationToken, HttpMethod.Post, $"/organisations/{organisationId}/people/invitations", new { email, role });
        await invited.EnsureAsync(HttpStatusCode.Created);
        var code = Onboarding.InvitationCode(email);
        var started = await partners.PostAsJsonAsync("/people/enrolment", new { code, displayName, password = Password });
        await started.EnsureAsync(HttpStatusCode.OK);
        var body = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = (string)body["authenticatorKey"]!;
        var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var totp = new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
        var confirmed = await partners.PostAsJsonAsync("/people/enrolment/confirm", new { code, totp });
        await confirmed.EnsureAsync(HttpStatusCode.OK);
        var recovery = (await confirmed.Content.ReadFromJsonAsync<JsonObject>())!["recoveryCodes"]!.AsArray().Select(c => (string)c!).ToList();
        return new TestPerson(Guid.Parse((string)body["personId"]!), organisationId, email, Password, key, recovery, step);
    }

    private static async Task EnsureAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>
/// A browser at the token server: keeps cookies, follows no redirect by itself (each step is looked at), and plays
/// the application's part of the authorization code flow with PKCE.
/// </summary>
public sealed partial class TestBrowser(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    /// <summary>The application this browser signs in to: the network's test application unless a test plays a partner's system.</summary>
    public (string Id, string Secret, string RedirectUri) Application { get; set; } = (TestSignIn.ClientId, TestSignIn.ClientSecret, TestSignIn.RedirectUri);

    public string Verifier { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public string State { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    public string Challenge => Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(Verifier)));

    /// <summary>The authorization request the application sends the browser to; any parameter can be replaced or removed (null).</summary>
    public string AuthorizeUrl(IDictionary<string, string?>? changes = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = Application.Id,
            ["redirect_uri"] = Application.RedirectUri,
            ["state"] = State,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in changes ?? new Dictionary<string, string?>())
        {
            parameters[name] = value;
        }

        return "/connect/authorize?" + string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));
    }

    /// <summary>Posts a sign-in page's form, with its antiforgery token, as the browser would.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(HttpResponseMessage page, IDictionary<string, string> fields)
    {
        var html = await page.Content.ReadAsStringAsync();
        var start = FormAction().Match(html);
        var action = WebUtility.HtmlDecode(start.Groups[1].Value);
        // The page's first plain form (the sign-in page has a second, the passkey's).
        html = html[start.Index..html.IndexOf("</form>", start.Index, StringComparison.Ordinal)];
        var form = HiddenField().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        return await Client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>From the authorization request to the code at the redirect URI: password, then the authenticator's code.</summary>
    public async Task<string> SignInAsync(TestPerson person, string? code = null)
    {
        var response = await Client.GetAsync(AuthorizeUrl());
        response = await Client.GetAsync(response.Headers.Location);
        response = await SubmitAsync(response, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = person.Password });
        response = await Client.GetAsync(response.Headers.Location ?? throw new InvalidOperationException("The password was refused."));
        response = await SubmitAsync(response, new Dictionary<string, string> { ["code"] = code ?? person.NextCode() });
        response = await Client.GetAsync(response.Headers.Location ?? throw new InvalidOperationException("The code was refused."));
        return CodeFrom(response);
    }

    /// <summary>The code in the redirect to the application, after checking the state came back unchanged.</summary>
    public string CodeFrom(HttpResponseMessage redirect)
    {
        var location = redirect.Headers.Location ?? throw new InvalidOperationException($"No redirect: {(int)redirect.StatusCode}");
        if (!location.ToString().StartsWith(Application.RedirectUri + "?", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Redirected elsewhere: {location}");
        }

        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        return query["state"] == State
            ? query["code"] ?? throw new InvalidOperationException($"No code: {location}")
            : throw new InvalidOperationException("The state does not match the request's.");
    }

    /// <summary>The application exchanges the code at the token endpoint with its secret and the PKCE verifier.</summary>
    public Task<HttpResponseMessage> ExchangeAsync(string code, string? verifier = null, string? secret = null) =>
        Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = Application.RedirectUri,
            ["code_verifier"] = verifier ?? Verifier,
            ["client_id"] = Application.Id,
            ["client_secret"] = secret ?? Application.Secret,
        }));

    /// <summary>Signs the person in and returns their access token.</summary>
    public async Task<string> AccessTokenAsync(TestPerson person)
    {
        var response = await ExchangeAsync(await SignInAsync(person));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (string?)body?["access_token"] ?? throw new InvalidOperationException($"No token: {body}");
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("""<form method="post" action="([^"]*)">""")]
    private static partial Regex FormAction();

    [GeneratedRegex("""<input type="hidden" name="([^"]*)" value="([^"]*)">""")]
    private static partial Regex HiddenField();
}
