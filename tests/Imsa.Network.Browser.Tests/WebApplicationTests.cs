using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// The whole network in a browser's reach, each on a real port at http://localhost and sharing one virtual host as
/// in production: Partners (the token server, its public address its own), Counselling, Handovers, and the web
/// application registered at Partners as a sign-in client. Shared by every browser test class of the web application.
/// </summary>
public sealed class WebSite : IAsyncLifetime
{
    public const string ClientId = "imsa-web-test";

    public const string ClientSecret = "web-application-secret-for-tests-0123456789";

    private readonly List<IAsyncDisposable> _owned = [];

    public HttpClient Partners { get; private set; } = null!;

    public HttpClient Counselling { get; private set; } = null!;

    public HttpClient Handovers { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>The network's virtual host, for a test that puts a message where only the broker's administrator can (a dead letter).</summary>
    public RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public Chromium Chromium { get; private set; } = null!;

    /// <summary>
    /// Handovers' clock, which a test moves forward to pass an answer deadline (its SLA timers run every second here).
    /// Only forward, and every test makes handovers of its own: a later test's offers get later deadlines.
    /// </summary>
    public ShiftedTimeProvider HandoversTime { get; } = new();

    public async Task InitializeAsync()
    {
        var virtualHost = VirtualHost = await Own(RabbitMqVirtualHost.CreateAsync("browser_web"));
        var partnersDatabase = await Own(PostgresDatabase.CreateAsync("browser_web_partners"));
        var counsellingDatabase = await Own(PostgresDatabase.CreateAsync("browser_web_counselling"));
        var handoversDatabase = await Own(PostgresDatabase.CreateAsync("browser_web_handovers"));
        var (partnersPort, counsellingPort, handoversPort, webPort) = (Pages.FreePort(), Pages.FreePort(), Pages.FreePort(), Pages.FreePort());
        var handoversAddress = new Uri($"http://localhost:{handoversPort}/");
        var partnersAddress = new Uri($"http://localhost:{partnersPort}/");
        var counsellingAddress = new Uri($"http://localhost:{counsellingPort}/");
        Address = new Uri($"http://localhost:{webPort}/");

        // Counselling and Handovers first, so they hear of the organisations Partners registers.
        var counselling = virtualHost.ServiceSettings("counselling");
        counselling["Export:HandoversUrl"] = handoversAddress.ToString();
        Counselling = await StartAsync<Imsa.Network.Counselling.Program>(counsellingPort, counsellingDatabase.ConnectionString, counselling);
        var handovers = virtualHost.ServiceSettings("handovers");
        handovers["Handovers:Sla:Interval"] = "00:00:01";
        Handovers = await StartAsync<Imsa.Network.Handovers.Program>(
            handoversPort, handoversDatabase.ConnectionString, handovers, services => services.AddSingleton<TimeProvider>(HandoversTime));

        var partners = virtualHost.ServiceSettings("partners");
        partners["Network:PublicUrl"] = partnersAddress.ToString();
        partners["SignIn:Clients:1:ClientId"] = ClientId;
        partners["SignIn:Clients:1:ClientSecret"] = ClientSecret;
        partners["SignIn:Clients:1:DisplayName"] = "IMSA web application";
        partners["SignIn:Clients:1:RedirectUris:0"] = new Uri(Address, "signed-in").ToString();
        partners["SignIn:Clients:1:PostLogoutRedirectUris:0"] = Address.ToString();
        Partners = await StartAsync<Imsa.Network.Partners.Program>(partnersPort, partnersDatabase.ConnectionString, partners);

        await StartAsync<Imsa.Network.Web.Program>(webPort, "", new Dictionary<string, string?>
        {
            ["Web:PublicUrl"] = Address.ToString(),
            ["Web:Partners:PublicUrl"] = partnersAddress.ToString(),
            ["Web:Partners:Url"] = partnersAddress.ToString(),
            ["Web:Counselling:Url"] = counsellingAddress.ToString(),
            ["Web:Handovers:Url"] = handoversAddress.ToString(),
            ["Web:SignIn:ClientId"] = ClientId,
            ["Web:SignIn:ClientSecret"] = ClientSecret,
        });
        Chromium = await Chromium.LaunchAsync();
    }

    /// <summary>Opens <paramref name="path"/> of the web application and signs the person in on the way, password and code.</summary>
    public async Task SignInAsync(IPage page, TestPerson person, string path)
    {
        await page.GotoAsync(new Uri(Address, path).ToString());
        await TypeCredentialsAsync(page, person);
        await page.WaitForURLAsync(new Uri(Address, path).ToString());
    }

    /// <summary>Partners' sign-in pages, as the person fills them in: address and password, then the authenticator's code.</summary>
    /// <remarks>By the fields' ids, not their labels: the pages speak the language the web application asks for.</remarks>
    public static async Task TypeCredentialsAsync(IPage page, TestPerson person)
    {
        await page.Locator("#email").FillAsync(person.Email);
        await page.Locator("#password").FillAsync(person.Password);
        await page.Locator("form:has(#password) button[type=submit]").ClickAsync();
        await page.Locator("#code").FillAsync(person.NextCode());
        await page.Locator("form:has(#code) button[type=submit]").ClickAsync();
    }

    /// <summary>A client of the web application that follows no redirect and keeps no cookie, as a first visit is.</summary>
    public HttpClient Visitor() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Address };

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    private async Task<HttpClient> StartAsync<TProgram>(
        int port, string connectionString, Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
        where TProgram : class
    {
        var factory = new ServiceFactory<TProgram>(connectionString, settings, configureServices);
        _owned.Add(factory);
        factory.UseKestrel(port);
        factory.StartServer();
        var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };
        await client.WaitUntilReadyAsync();
        return client;
    }

    private async Task<T> Own<T>(Task<T> creating)
        where T : IAsyncDisposable
    {
        var owned = await creating;
        _owned.Add(owned);
        return owned;
    }
}

/// <summary>
/// Every browser test of the web application shares one network (four services and a browser are a lot for two
/// cores), one test at a time; each test makes organisations and people of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebNetworkTests : ICollectionFixture<WebSite>
{
    public const string Name = "web application";
}

/// <summary>A counsellor abroad signs in to the web application through Partners, finds a case, reads it in Arabic.</summary>
[Collection(WebNetworkTests.Name)]
public sealed class WebApplicationTests(WebSite site)
{
    [Fact]
    public async Task ACounsellor_SignsInWithPasswordAndCode_FindsTheCase_AndSwitchesToArabic()
    {
        var (person, caseId) = await CounsellorWithACaseAsync();
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();

        await page.GotoAsync(site.Address.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Migration counselling across borders" })).ToBeVisibleAsync();
        await page.ReviewAsync("web-01-start");
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();

        // Partners' own pages: address and password, then the authenticator's code.
        await page.GetByLabel("E-mail address").FillAsync(person.Email);
        await page.GetByLabel("Password").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByLabel("Code").FillAsync(person.NextCode());
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed in" })).ToBeVisibleAsync();
        page.Url.Should().Be(site.Address.ToString());
        await Assertions.Expect(page.GetByText("Counsellor")).ToBeVisibleAsync();
        await page.ReviewAsync("web-02-signed-in");

        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Your organisation's cases" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = caseId })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "open", Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("web-03-cases");

        // Search by the beginning of the reference, filtered to open cases; then a reference that matches nothing.
        await page.GetByLabel("Reference").FillAsync(caseId[..8]);
        await page.GetByLabel("Status").SelectOptionAsync("open");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = caseId })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Cases shown: 1")).ToBeVisibleAsync();
        await page.GetByLabel("Status").SelectOptionAsync("closed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No case matches.")).ToBeVisibleAsync();
        await page.ReviewAsync("web-04-cases-none");

        // The person's token stays on the server: the browser's session cookie is only a random id.
        var cookies = await context.CookiesAsync([site.Address.ToString()]);
        cookies.Should().ContainSingle(c => c.Name == "imsa-session").Which.Value.Should().MatchRegex("^[0-9A-F]{64}$");
        cookies.Single(c => c.Name == "imsa-session").HttpOnly.Should().BeTrue();
        cookies.Should().NotContain(c => c.Value.Contains("eyJ", StringComparison.Ordinal), "no cookie may hold a token");

        // In Arabic: right to left, Arabic texts, and the same case.
        await page.GetByLabel("Language").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ملفات منظمتك" })).ToBeVisibleAsync();
        await page.ReviewAsync("web-05-cases-arabic");
        await page.GetByLabel("الحالة").SelectOptionAsync("");
        await page.GetByLabel("المرجع").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "عرض" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = caseId })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "مفتوح" })).ToBeVisibleAsync();
        await page.ReviewAsync("web-06-cases-arabic-all");

        // Sign out: the session ends here and at Partners, and the case list asks for sign-in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "تسجيل الخروج" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "استشارات الهجرة عبر الحدود" })).ToBeVisibleAsync();
        page.Url.Should().Be(site.Address.ToString());
        await page.ReviewAsync("web-07-signed-out-arabic");
        (await context.CookiesAsync([site.Address.ToString()])).Should().NotContain(c => c.Name == "imsa-session");
        await page.GotoAsync(new Uri(site.Address, "cases").ToString());
        // Partners' sign-in page, in the language the person chose in the application.
        await Assertions.Expect(page.GetByLabel("البريد الإلكتروني")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignInInArabic_ThenPagesBehindSignIn_AreNeverCached_AndForbidInlineScript()
    {
        var (person, caseId) = await CounsellorWithACaseAsync();
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "ar-MA" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(site.Address, "cases").ToString());

        // Partners' sign-in pages in the language the web application asks for (ui_locales): Arabic, right to left.
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "تسجيل الدخول إلى شبكة IMSA" })).ToBeVisibleAsync();
        await page.ReviewAsync("web-sign-in-arabic");
        await page.GetByLabel("البريد الإلكتروني").FillAsync(person.Email);
        await page.GetByLabel("كلمة المرور").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "متابعة" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("العنوان أو كلمة المرور أو الرمز غير صحيح");
        await Assertions.Expect(page.GetByLabel("كلمة المرور")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("web-sign-in-arabic-refused");
        await page.GetByLabel("البريد الإلكتروني").FillAsync(person.Email);
        await page.GetByLabel("كلمة المرور").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "متابعة" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "رمز تطبيق المصادقة" })).ToBeVisibleAsync();
        await page.ReviewAsync("web-sign-in-arabic-code");
        await page.GetByLabel("الرمز").FillAsync(person.NextCode());
        await page.GetByRole(AriaRole.Button, new() { Name = "تسجيل الدخول" }).ClickAsync();
        // Back on the page first asked for.
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = caseId })).ToBeVisibleAsync();
        page.Url.Should().Be(new Uri(site.Address, "cases").ToString());

        foreach (var path in new[] { "cases", "" })
        {
            var response = await page.GotoAsync(new Uri(site.Address, path).ToString());
            var headers = await response!.AllHeadersAsync();
            headers["cache-control"].Should().Be("no-store", $"/{path} shows the person's data");
            headers["content-security-policy"].Should().StartWith("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
            headers["content-security-policy"].Should().NotContain("unsafe-inline");
            (await page.Locator("script").CountAsync()).Should().Be(0, "the pages need no script");
            await page.ReviewAsync($"web-headers-{(path.Length == 0 ? "start" : path)}");
        }

        var stylesheet = await page.GotoAsync(new Uri(site.Address, "site.css").ToString());
        stylesheet!.Status.Should().Be(200);
        (await stylesheet.AllHeadersAsync())["cache-control"].Should().StartWith("public", "the stylesheet is the same for everyone");
    }

    [Fact]
    public async Task Cases_WithoutASession_SendsTheBrowserToSignInThroughPartners()
    {
        using var visitor = site.Visitor();

        var cases = await visitor.GetAsync("/cases?status=open");
        cases.StatusCode.Should().Be(HttpStatusCode.Redirect);
        cases.Headers.Location!.ToString().Should().Be("/sign-in?returnUrl=%2Fcases%3Fstatus%3Dopen");

        var signIn = await visitor.GetAsync(cases.Headers.Location);
        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var authorize = signIn.Headers.Location!;
        authorize.GetLeftPart(UriPartial.Path).Should().EndWith("/connect/authorize");
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        query["client_id"].Should().Be(WebSite.ClientId);
        query["redirect_uri"].Should().Be(new Uri(site.Address, "signed-in").ToString());
        query["code_challenge_method"].Should().Be("S256");
        query["ui_locales"].Should().Be("en", "the sign-in pages speak the application's language, English without a choice");
        query["code_challenge"].Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        query["state"].Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        var attempt = signIn.Headers.GetValues("Set-Cookie").Should().ContainSingle().Which;
        attempt.Should().StartWith("imsa-sign-in=").And.Contain("httponly").And.Contain("samesite=lax");
        attempt.Should().NotContain(query["state"]!, "the state and verifier are sealed by data protection");

        // Coming back with another state than the one sent is refused, and no session is made.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signed-in?code=anything&state=forged");
        request.Headers.Add("Cookie", attempt.Split(';')[0]);
        var forged = await visitor.SendAsync(request);
        forged.StatusCode.Should().Be(HttpStatusCode.Redirect);
        forged.Headers.Location!.ToString().Should().Be("/sign-in-failed");
        forged.Headers.TryGetValues("Set-Cookie", out var set).Should().BeTrue();
        set!.Should().NotContain(cookie => cookie.StartsWith("imsa-session=", StringComparison.Ordinal));

        // A return address elsewhere is not followed.
        var elsewhere = await visitor.GetAsync("/sign-in?returnUrl=%2F%2Fevil.example");
        elsewhere.StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    private async Task<(TestPerson Person, string CaseId)> CounsellorWithACaseAsync()
    {
        var partners = site.Partners;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var organisation = await partners.RegisterOrganisationAsync(coordinator);
        var client = await partners.OnboardAsync(coordinator, organisation);
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        var own = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        var person = await partners.EnrolPersonAsync(own, organisation);

        // Counselling learns of the organisation from Partners' event.
        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, "/cases", new
            {
                identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
                migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the new organisation");
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        return (person, caseId);
    }
}
