using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Imsa.Network.Testing;

/// <summary>What every IMSA service must do, run against each service by deriving from this class.</summary>
public abstract class ServiceConventionTests<TProgram>(ServiceFixture<TProgram> service)
    where TProgram : class
{
    [Fact]
    public async Task Live_Returns200()
    {
        var response = await service.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_ReportsTheDatabaseAndTheBrokerHealthy()
    {
        var response = await service.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Healthy", (string?)body["checks"]!["database"]);
        Assert.Equal("Healthy", (string?)body["checks"]!["broker"]);
        Assert.Equal("Healthy", (string?)body["checks"]!["masstransit-bus"]);
    }

    [Fact]
    public async Task OpenApiDocument_AndSwaggerUi_AreServed()
    {
        var document = (await service.Client.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;
        Assert.StartsWith("3.", (string?)document["openapi"], StringComparison.Ordinal);
        Assert.NotEmpty(document["paths"]!.AsObject());
        var ui = await service.Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task WithoutAToken_Returns401Problem()
    {
        var response = await service.Client.GetAsync("/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Equal(401, (int?)problem["status"]);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        var response = await service.Client.GetAsync("/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Equal(404, (int?)problem["status"]);
    }
}
