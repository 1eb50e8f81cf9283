namespace Imsa.Network.Handovers.Tests;

public sealed class HandoversPersonAccessTests(ServiceFixture<Program> service)
    : PersonAccessTests<Program>(service), IClassFixture<ServiceFixture<Program>>
{
    protected override string CaseWorkProbe => "/handovers/outgoing";
}
