namespace Imsa.Network.Counselling.Tests;

public sealed class CounsellingPersonAccessTests(ServiceFixture<Program> service)
    : PersonAccessTests<Program>(service), IClassFixture<ServiceFixture<Program>>
{
    protected override string CaseWorkProbe => "/cases";
}
