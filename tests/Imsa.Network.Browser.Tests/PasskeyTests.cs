using System.IdentityModel.Tokens.Jwt;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OtpNet;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// Partners' token server on a real port at http://localhost (browsers offer passkeys to named sites only), its
/// public address the same, with Debian's Chromium in front of it.
/// </summary>
public sealed class PartnersSite : IAsyncLifetime
{
    public PostgresDatabase Database { get; private set; } = null!;

    public RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public ServiceFactory<Imsa.Network.Partners.Program> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public Chromium Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync("browser_partners");
        VirtualHost = await RabbitMqVirtualHost.CreateAsync("browser_partners");
        var port = Pages.FreePort();
        Address = new Uri($"http://localhost:{port}/");
        var settings = VirtualHost.Settings(service: "partners");
        settings["Network:PublicUrl"] = Address.ToString();
        Factory = new ServiceFactory<Imsa.Network.Partners.Program>(Database.ConnectionString, settings);
        Factory.UseKestrel(port);
        Factory.StartServer();
        Client = new HttpClient { BaseAddress = Address };
        await Client.WaitUntilReadyAsync();
        Chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        Client.Dispose();
        await Factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>A person joins from the invitation mail's link, adds a passkey, and signs in to an application with the passkey alone.</summary>
public sealed class PasskeyTests(PartnersSite site) : IClassFixture<PartnersSite>
{
    private const string Password = "a long passphrase of several words";

    [Fact]
    public async Task APerson_EnrolsFromTheMailLink_AddsAPasskey_AndSignsInWithItAlone()
    {
        var partners = site.Client;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var organisation = await partners.RegisterOrganisationAsync(coordinator);
        var client = await partners.OnboardAsync(coordinator, organisation);
        var own = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        var email = $"nadia-{Guid.NewGuid():N}@ngo.example.org";
        (await partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email, role = "counsellor" }))
            .EnsureSuccessStatusCode();
        var link = Onboarding.InvitationLink(email);
        link.GetLeftPart(UriPartial.Authority).Should().Be(site.Address.GetLeftPart(UriPartial.Authority));

        await using var context = await site.Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        // A platform authenticator that verifies the person (as a phone's or laptop's screen lock does).
        var devtools = await context.NewCDPSessionAsync(page);
        await devtools.SendAsync("WebAuthn.enable");
        await devtools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });

        // The link from the mail: name and password, then the authenticator, then the recovery codes.
        // The mail names the gateway's path for Partners (/partners); this site is Partners itself, without the gateway.
        await page.GotoAsync(link.ToString().Replace("/partners/", "/", StringComparison.Ordinal));
        await page.ReviewAsync("passkey-01-enrol");
        await page.GetByLabel("Your name, as colleagues should see it").FillAsync("Nadia Benali");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("The password again").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add your authenticator" })).ToBeVisibleAsync();
        await page.ReviewAsync("passkey-02-authenticator");
        var key = (await page.Locator("#key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var step = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        await page.GetByLabel("The six-digit code the app shows now").FillAsync(totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are enrolled" })).ToBeVisibleAsync();
        (await page.Locator("ol.codes li").CountAsync()).Should().Be(10);
        await page.ReviewAsync("passkey-03-recovery-codes");

        // The account: signing in with password and code first.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in to your account" }).ClickAsync();
        await page.ReviewAsync("passkey-04-sign-in");
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByLabel("Code").FillAsync(totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds((step + 1) * 30).UtcDateTime));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();
        await page.ReviewAsync("passkey-05-account");

        await page.GetByLabel("Name of the new passkey").FillAsync("Work laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Passkey “Work laptop” added")).ToBeVisibleAsync();
        await page.ReviewAsync("passkey-06-added");
        (await site.Database.CountAsync("SELECT count(*) FROM identity.person_passkeys")).Should().Be(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();

        // An application sends the person to sign in; the passkey alone answers (the application's address is caught here).
        using var application = new TestBrowser(site.Client);
        var redirected = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        await context.RouteAsync(TestSignIn.RedirectUri + "**", async route =>
        {
            redirected.TrySetResult(new Uri(route.Request.Url));
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = "<!doctype html><html lang=\"en\"><title>Signed in</title><h1>Signed in</h1></html>" });
        });
        await page.GotoAsync(new Uri(site.Address, application.AuthorizeUrl()).ToString());
        await page.ReviewAsync("passkey-07-sign-in-with-passkey");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        var returned = await redirected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var code = System.Web.HttpUtility.ParseQueryString(returned.Query)["code"];
        System.Web.HttpUtility.ParseQueryString(returned.Query)["state"].Should().Be(application.State);

        var exchanged = await application.ExchangeAsync(code!);
        var token = (string)(await exchanged.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        var claims = new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.ToList();
        claims.Where(c => c.Type == "amr").Select(c => c.Value).Should().BeEquivalentTo(["pop", "mfa"], "a passkey with user verification is two factors in one");
        claims.Single(c => c.Type == "org").Value.Should().Be(organisation.ToString());
        (await site.Database.CountAsync("SELECT count(*) FROM credential_events WHERE kind = 'person-signed-in' AND reason = 'passkey'")).Should().Be(1);
    }
}
