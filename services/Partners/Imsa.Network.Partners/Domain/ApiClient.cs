namespace Imsa.Network.Partners.Domain;

/// <summary>
/// An organisation's API client for the client-credentials flow. Its secret lives only as a hash in the
/// token server's application store; this record says whose it is and whether it was revoked.
/// </summary>
internal sealed class ApiClient
{
    public required string ClientId { get; init; }

    public Guid OrganisationId { get; init; }

    /// <summary>A label the organisation chooses ("case system production").</summary>
    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SecretRotatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>
    /// Where the organisation's system receives a person's authorization code, when it signs the organisation's people
    /// in (authorization code with PKCE); empty for a system that acts only for the organisation itself.
    /// </summary>
    public List<string> RedirectUris { get; init; } = [];
}
