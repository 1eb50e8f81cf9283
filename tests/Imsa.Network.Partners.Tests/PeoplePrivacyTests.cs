using System.Net;
using Imsa.Network.Contracts.Partners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.Partners.Tests;

/// <summary>A person's whole life — invited, enrolled, refused, locked out, signed in, deactivated — with every log line kept at Debug and every event tapped: their name and address stay in Partners' identity schema.</summary>
public sealed class PeoplePrivacyTests(PeoplePrivacyTests.LoggedPartners service) : IClassFixture<PeoplePrivacyTests.LoggedPartners>
{
    public sealed class LoggedPartners : ServiceFixture<Program>
    {
        public CapturedLogs Logs { get; } = new();

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Logging:Captured:LogLevel:Default"] = "Debug",
        };

        protected override void ConfigureServices(IServiceCollection services)
        {
            base.ConfigureServices(services);
            services.AddSingleton<ILoggerProvider>(Logs);
        }
    }

    [Fact]
    public async Task APersonsLife_LeavesTheirNameAndAddressInNoEventAndNoLogLine()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(PersonDeactivated), typeof(OrganisationRegistered), typeof(IOrganisationLifecycleEvent));
        var partners = service.Client;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var organisation = await partners.RegisterOrganisationAsync(coordinator);
        var client = await partners.OnboardAsync(coordinator, organisation);
        var own = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        const string name = "Yasmina Benali-Quintero";
        var person = await partners.EnrolPersonAsync(own, organisation, displayName: name);

        using var browser = service.Factory.Browser();
        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
        for (var i = 0; i < 5; i++)
        {
            (await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = $"wrong password number {i}" }))
                .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        }

        var deactivated = await partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/{person.Id}/deactivate");
        deactivated.StatusCode.Should().Be(HttpStatusCode.OK);
        var announced = await tap.WaitForAsync<PersonDeactivated>(m => (string?)m["personId"] == person.Id.ToString());
        ((string?)announced["organisationId"]).Should().Be(organisation.ToString());

        await tap.DrainAsync();
        foreach (var (type, body) in tap.Received)
        {
            body.Should().NotContain(person.Email, type).And.NotContain("Yasmina", type).And.NotContain("Benali", type);
        }

        service.Logs.Lines.Should().NotBeEmpty();
        service.Logs.Lines.Where(line => line.Contains(person.Email, StringComparison.OrdinalIgnoreCase) || line.Contains("Benali", StringComparison.Ordinal))
            .Should().BeEmpty();
    }
}
