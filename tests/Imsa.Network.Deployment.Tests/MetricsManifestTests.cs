using System.Globalization;

namespace Imsa.Network.Deployment.Tests;

/// <summary>Where Prometheus scrapes the services: a port of their own, not the Service's, open to the monitoring namespace only.</summary>
public sealed class MetricsManifestTests
{
    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EachService_ExposesAMetricsPort_ThatIsNotItsServicesPort_OpenToTheMonitoringNamespaceOnly(string target)
    {
        var objects = Manifest.Rendered(target);
        var ingressRules = objects.OfKind("NetworkPolicy").SelectMany(policy => policy.At("spec", "ingress").Objects().Select(rule => (policy, rule))).ToList();

        foreach (var name in Workloads.Services)
        {
            var deployment = objects.Single("Deployment", $"imsa-{name}");
            var ports = deployment.Container()["ports"].Objects().ToList();
            var metrics = ports.SingleOrDefault(port => port["name"].Text() == "metrics");
            metrics.Should().NotBeNull($"{deployment} declares a container port named metrics");
            var port = metrics!["containerPort"].Number();
            var http = ports.Single(p => p["name"].Text() == "http")["containerPort"].Number();
            port.Should().NotBe(http, $"{deployment}'s metrics are on a port of their own");
            objects.Environment(deployment).Should().Contain(
                "Metrics__Port", port!.Value.ToString(CultureInfo.InvariantCulture), $"{deployment} listens for metrics where its port is declared");
            deployment.At("spec", "template", "metadata", "annotations").Strings().Should().Contain("prometheus.io/port", port.Value.ToString(CultureInfo.InvariantCulture));

            var service = objects.Single("Service", $"imsa-{name}");
            foreach (var exposed in service.At("spec", "ports").Objects())
            {
                exposed["targetPort"].Text().Should().NotBe("metrics", $"{service} does not route to the metrics port");
                exposed["targetPort"].Number().Should().NotBe(port, $"{service} does not route to the metrics port");
            }

            var opening = ingressRules
                .Where(item => item.rule["ports"].Objects().Any(p => p["port"].Number() == port || p["port"].Text() == "metrics"))
                .Where(item => Opens(item.policy, name))
                .ToList();
            opening.Should().NotBeEmpty($"a NetworkPolicy lets Prometheus reach {deployment}'s metrics port");
            foreach (var (policy, rule) in opening)
            {
                rule["from"].Objects().Should().NotBeEmpty($"{policy} names who may scrape").And.OnlyContain(
                    peer => peer.At("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name").Text() == "monitoring",
                    $"{policy} opens {deployment}'s metrics port to the monitoring namespace only");
            }
        }
    }

    // The policy selects the service's pods by label or by a set of names (the metrics policy selects all three).
    private static bool Opens(KubeObject policy, string service) =>
        policy.At("spec", "podSelector", "matchLabels", "app.kubernetes.io/name").Text() == service
        || policy.At("spec", "podSelector", "matchExpressions").Objects().Any(expression =>
            expression["key"].Text() == "app.kubernetes.io/name" && expression["values"] is System.Text.Json.Nodes.JsonArray values
            && values.Any(value => value.Text() == service));
}
