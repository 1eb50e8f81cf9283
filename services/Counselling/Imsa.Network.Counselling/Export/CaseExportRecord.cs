namespace Imsa.Network.Counselling.Export;

/// <summary>That a case's export was made: when, by whom, in which form. Ids and codes only; the export itself is not kept.</summary>
internal sealed class CaseExportRecord
{
    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public Guid OrganisationId { get; init; }

    /// <summary>The API client, or the application a person signed in through.</summary>
    public string? ClientId { get; init; }

    /// <summary>The counsellor who made it; null for an API client.</summary>
    public Guid? PersonId { get; init; }

    /// <summary>json or html.</summary>
    public required string Format { get; init; }

    public required string Language { get; init; }

    public DateTimeOffset At { get; init; }
}
