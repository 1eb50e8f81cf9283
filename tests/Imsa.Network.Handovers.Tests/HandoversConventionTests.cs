namespace Imsa.Network.Handovers.Tests;

public sealed class HandoversConventionTests(ServiceFixture<Program> service)
    : ServiceConventionTests<Program>(service), IClassFixture<ServiceFixture<Program>>;
