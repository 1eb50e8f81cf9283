using Xunit.Abstractions;
using Xunit.Sdk;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// The network scaled out (<see cref="InstanceNetwork"/>: two processes of each service behind the gateway), one network
/// for all these tests: effects once (ScaledOutTests.ExactlyOnce.cs), changes seen by every instance
/// (ScaledOutTests.EveryInstance.cs), an instance of each service killed under load (ScaledOutTests.Kill.cs), which
/// runs last because it leaves one instance of each.
/// </summary>
[Collection(ScaledOut.Name)]
[TestCaseOrderer("Imsa.Network.EndToEnd.Tests.MultiInstance.ScaledOutTests+KillingLast", "Imsa.Network.EndToEnd.Tests")]
public sealed partial class ScaledOutTests(InstanceNetwork network)
{
    private readonly InstanceNetwork _network = network;

    /// <summary>The tests in name order, those that kill instances ("Killing…") after all others.</summary>
    public sealed class KillingLast : ITestCaseOrderer
    {
        public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
            where TTestCase : ITestCase =>
            testCases.OrderBy(test => test.TestMethod.Method.Name.StartsWith("Killing", StringComparison.Ordinal))
                .ThenBy(test => test.TestMethod.Method.Name, StringComparer.Ordinal);
    }
}
