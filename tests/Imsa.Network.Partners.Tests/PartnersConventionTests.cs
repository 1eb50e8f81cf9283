namespace Imsa.Network.Partners.Tests;

public sealed class PartnersConventionTests(ServiceFixture<Program> service)
    : ServiceConventionTests<Program>(service), IClassFixture<ServiceFixture<Program>>;
