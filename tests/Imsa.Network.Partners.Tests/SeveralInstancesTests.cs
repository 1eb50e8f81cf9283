using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Npgsql;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// Two instances of Partners on one database, as behind the gateway: whatever one instance protects (a sign-in
/// form's antiforgery token, the half-signed-in cookie between password and code, the session, an authorization
/// code) the other reads, and the key ring they share is sealed in the database.
/// </summary>
public sealed class SeveralInstancesTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>, IAsyncLifetime
{
    private ServiceFactory<Program> _second = null!;

    public async Task InitializeAsync()
    {
        _second = new ServiceFactory<Program>(service.Database.ConnectionString, service.VirtualHost.Settings(service: "partners"));
        await _second.CreateClient().WaitUntilReadyAsync();
    }

    public async Task DisposeAsync() => await _second.DisposeAsync();

    [Fact]
    public async Task APerson_SignsIn_WithEachRequestOnTheOtherInstance_AndTheCodeIsRedeemedOnEither()
    {
        var coordinator = await service.Client.GetCoordinatorTokenAsync();
        var organisation = await service.Client.RegisterOrganisationAsync(coordinator);
        var client = await service.Client.OnboardAsync(coordinator, organisation);
        var person = await service.Client.EnrolPersonAsync(await service.Client.GetTokenAsync(client.ClientId, client.ClientSecret), organisation);

        // One browser whose requests go to the two instances in turn, keeping its cookies as a browser does.
        using var browser = new TestBrowser(new HttpClient(new CookieContainerHandler { InnerHandler = new TakingTurns(service.Factory.Server.CreateHandler(), _second.Server.CreateHandler()) })
        {
            BaseAddress = new Uri("https://localhost"),
        });

        var code = await browser.SignInAsync(person);
        var exchanged = await browser.ExchangeAsync(code);

        exchanged.StatusCode.Should().Be(HttpStatusCode.OK, await exchanged.Content.ReadAsStringAsync());
        var token = (string)(await exchanged.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        new JwtSecurityTokenHandler().ReadJwtToken(token).Subject.Should().Be(person.Id.ToString());
        (await browser.Client.GetAsync("/account")).StatusCode.Should().Be(HttpStatusCode.OK, "the session made on one instance is read on the other");
        (await browser.Client.GetAsync("/account")).StatusCode.Should().Be(HttpStatusCode.OK, "and on the first");
        (await browser.ExchangeAsync(code)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a code is redeemed once, whichever instance is asked");

        (await service.Database.CountAsync("SELECT count(*) FROM identity.data_protection_keys")).Should().Be(1, "the instances made one key between them");
        await using var connection = new NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT xml FROM identity.data_protection_keys", connection);
        ((string)(await read.ExecuteScalarAsync())!).Should().Contain("<sealedKey masterKeyId=\"" + TestMasterKey.Id + "\"")
            .And.NotContain("<masterKey", "the key's secret is sealed with the master key, not kept in the clear");
    }

    /// <summary>Sends each request to the next of its instances.</summary>
    private sealed class TakingTurns(params HttpMessageHandler[] instances) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker[] _instances = instances.Select(handler => new HttpMessageInvoker(handler)).ToArray();
        private int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _instances[Interlocked.Increment(ref _next) % _instances.Length].SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var instance in _instances)
                {
                    instance.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }
}
