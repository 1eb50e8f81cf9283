namespace Imsa.Network.Counselling.Tests;

public sealed class CounsellingConventionTests(ServiceFixture<Program> service)
    : ServiceConventionTests<Program>(service), IClassFixture<ServiceFixture<Program>>;
