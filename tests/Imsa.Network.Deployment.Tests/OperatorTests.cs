using System.Globalization;

namespace Imsa.Network.Deployment.Tests;

/// <summary>
/// PostgreSQL and RabbitMQ come from their operators (ADR 0015): one CloudNativePG cluster of three instances with
/// backups per service database, one RabbitmqCluster of three nodes; and each service connects to its own.
/// </summary>
public sealed class OperatorTests
{
    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void PostgreSql_IsACloudNativePgClusterPerServiceDatabase_OfThreeInstances_BackedUpToAnObjectStore(string target)
    {
        var objects = Manifest.Rendered(target);
        var clusters = objects.OfKind("Cluster").Where(cluster => cluster.ApiVersion == "postgresql.cnpg.io/v1").ToList();

        clusters.Select(cluster => cluster.Name).Should().BeEquivalentTo(Workloads.Services.Select(service => $"imsa-{service}-db"));
        ClusterProblems(objects).Should().BeEmpty($"every CloudNativePG cluster of deploy/kubernetes/{target} has three instances and backups");
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EachService_AndItsMigration_ConnectToItsOwnDatabase_AsTheOwnerCloudNativePgMade_OverVerifiedTls(string target)
    {
        var objects = Manifest.Rendered(target);

        foreach (var service in Workloads.Services)
        {
            var cluster = objects.Single("Cluster", $"imsa-{service}-db");
            var database = cluster.At("spec", "bootstrap", "initdb", "database").Text();
            database.Should().Be($"imsa_{service}", "the database names of deploy/local/infra.sh and deploy/compose");
            foreach (var workload in new[] { objects.Single("Deployment", $"imsa-{service}"), objects.Single("Job", $"imsa-{service}-migrate") })
            {
                var environment = objects.Environment(workload);
                environment["ConnectionStrings__Database"].Split(';').Should().Contain(
                    new[] { $"Host={cluster.Name}-rw", $"Database={database}", "Username=$(IMSA_DB_USERNAME)", "Password=$(IMSA_DB_PASSWORD)", "SSL Mode=VerifyFull" },
                    $"{workload} connects to the primary of {cluster}, as the owner CloudNativePG made, checking the server's certificate");
                environment.Should().Contain("IMSA_DB_USERNAME", $"secret:{cluster.Name}-app/username");
                environment.Should().Contain("IMSA_DB_PASSWORD", $"secret:{cluster.Name}-app/password");
            }
        }
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void RabbitMq_IsOneRabbitmqClusterOfThreeNodes(string target)
    {
        var cluster = Manifest.Rendered(target).OfKind("RabbitmqCluster").Should().ContainSingle().Subject;

        cluster.ApiVersion.Should().Be("rabbitmq.com/v1beta1");
        cluster.At("spec", "replicas").Number().Should().Be(3, $"{cluster} runs three nodes");
    }

    [Fact]
    public void ClusterProblems_NameAClusterOfOneInstance_OneWithoutBackups_AndOneWithoutItsSchedule()
    {
        var objects = Manifest.Parse("""
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: single}
            spec:
              instances: 1
              backup:
                barmanObjectStore:
                  destinationPath: s3://backups/single
                  s3Credentials:
                    accessKeyId: {name: store, key: ACCESS_KEY_ID}
                    secretAccessKey: {name: store, key: ACCESS_SECRET_KEY}
            ---
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: unsaved}
            spec: {instances: 3}
            ---
            apiVersion: postgresql.cnpg.io/v1
            kind: ScheduledBackup
            metadata: {name: single-nightly}
            spec: {schedule: "0 0 2 * * *", method: barmanObjectStore, cluster: {name: single}}
            """);

        ClusterProblems(objects).Should().BeEquivalentTo(
            "Cluster single: 1 instance(s), not 3",
            "Cluster unsaved: no backup to an object store (spec.backup.barmanObjectStore.destinationPath)",
            "Cluster unsaved: no S3 credentials from a Secret (barmanObjectStore.s3Credentials accessKeyId and secretAccessKey)",
            "Cluster unsaved: no ScheduledBackup takes its base backups");
    }

    /// <summary>Each CloudNativePG cluster's shortfalls, one line each, naming the cluster.</summary>
    internal static IReadOnlyList<string> ClusterProblems(IReadOnlyList<KubeObject> objects)
    {
        var problems = new List<string>();
        var schedules = objects.OfKind("ScheduledBackup").ToList();
        foreach (var cluster in objects.OfKind("Cluster"))
        {
            var instances = cluster.At("spec", "instances").Number();
            if (instances != 3)
            {
                problems.Add($"{cluster}: {(instances is { } count ? count.ToString(CultureInfo.InvariantCulture) : "no")} instance(s), not 3");
            }

            var store = cluster.At("spec", "backup", "barmanObjectStore");
            if (store.At("destinationPath").Text() is null)
            {
                problems.Add($"{cluster}: no backup to an object store (spec.backup.barmanObjectStore.destinationPath)");
            }

            if (new[] { "accessKeyId", "secretAccessKey" }.Any(credential =>
                store.At("s3Credentials", credential, "name").Text() is null || store.At("s3Credentials", credential, "key").Text() is null))
            {
                problems.Add($"{cluster}: no S3 credentials from a Secret (barmanObjectStore.s3Credentials accessKeyId and secretAccessKey)");
            }

            if (!schedules.Any(schedule => schedule.At("spec", "cluster", "name").Text() == cluster.Name
                && schedule.At("spec", "schedule").Text() is { Length: > 0 }
                && schedule.At("spec", "method").Text() is null or "barmanObjectStore"))
            {
                problems.Add($"{cluster}: no ScheduledBackup takes its base backups");
            }
        }

        return problems;
    }
}
