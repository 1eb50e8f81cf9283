namespace Imsa.Network.Architecture.Tests;

/// <summary>What one product project may reference, and why.</summary>
internal sealed record DependencyRule(string Project, IReadOnlyList<string> MayReference, string Why);

/// <summary>The dependency rules of docs/adr/0006-one-library-per-concern.md, as data, and their checker.</summary>
internal static class DependencyRules
{
    private static readonly string[] Libraries = ["Contracts", "Reference", "Messaging", "ServiceDefaults", "Access", "Operations"];

    private const string ServiceWhy =
        "a service builds on the shared libraries and learns of another service only through its events and its API, never its code";

    internal static readonly IReadOnlyList<DependencyRule> Rules =
    [
        new("Contracts", [], "the events are plain records with ids, codes and dates, so any service takes them without taking anything else"),
        new("Reference", [], "code lists, postal codes and the capacity rule are plain data that every service shares as it is"),
        new("Messaging", ["ServiceDefaults"], "the backbone moves any message and knows no contracts or organisations, so a new event never changes it; it keeps its tables in the service's database and waits out that database's passing failures (DatabaseFailures)"),
        new("ServiceDefaults", [], "hosting, problem responses, telemetry and health are the same for any service and know nothing of messaging or tokens"),
        new("Access", ["Contracts", "Messaging"], "the access projection is fed by the organisations' lifecycle events through the inbox"),
        new("Operations", ["Messaging", "Access", "ServiceDefaults"], "the admin routes operate the outbox and the dead letters, for coordinators only, answering with problem responses"),
        new("Partners", Libraries, ServiceWhy),
        new("Counselling", Libraries, ServiceWhy),
        new("Handovers", Libraries, ServiceWhy),
        new("Gateway", [], "the gateway only forwards HTTP and shares no code with the services behind it"),
        new("Web", [], "the web application is a client of the APIs like any other: it calls them with the person's token and shares no code with the services"),
    ];

    /// <summary>Every way <paramref name="projects"/> break <paramref name="rules"/>; empty when they keep them.</summary>
    internal static IReadOnlyList<string> Violations(IReadOnlyCollection<ProductProject> projects, IReadOnlyList<DependencyRule> rules)
    {
        var byProject = rules.ToDictionary(rule => rule.Project, StringComparer.Ordinal);
        var violations = new List<string>();

        foreach (var project in projects.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!byProject.TryGetValue(project.Name, out var rule))
            {
                violations.Add($"{project.Name} ({project.Path}) has no dependency rule: a new project must be placed in the rules (and in docs/adr/0006)");
            }
            else
            {
                var allowed = rule.MayReference.Count == 0 ? "nothing" : string.Join(", ", rule.MayReference);
                violations.AddRange(project.ProductReferences
                    .Where(reference => !rule.MayReference.Contains(reference, StringComparer.Ordinal))
                    .Select(reference => $"{project.Name} → {reference} breaks the rule: {project.Name} may reference {allowed}, because {rule.Why}"));
            }

            violations.AddRange(project.OtherReferences.Select(reference =>
                $"{project.Name} → {reference}: a product project references only projects under contracts/ and services/"));
        }

        violations.AddRange(rules
            .Where(rule => !projects.Any(project => project.Name == rule.Project))
            .Select(rule => $"the rule for {rule.Project} names no product project: remove the rule or restore the project"));

        return violations;
    }
}
