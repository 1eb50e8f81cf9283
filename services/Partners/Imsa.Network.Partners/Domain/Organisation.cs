using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Partners.Domain;

public enum OrganisationKind
{
    OriginPartner,
    TransitPartner,
    ReceivingService,
    Coordinator,
}

public enum OrganisationStatus
{
    PendingVerification,
    Active,
    Suspended,
    Retired,
}

/// <summary>An organisation of the network: a partner abroad, a receiving service in Germany, or a coordinator.</summary>
internal sealed class Organisation
{
    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>Upper-case, whitespace-folded name: a second registration of the same organisation is found by it.</summary>
    public string NormalizedName { get; private set; } = "";

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string Country { get; private set; } = "";

    public OrganisationKind Kind { get; private set; }

    /// <summary>The organisation's id in an official register of its country (e.g. Vereinsregister VR 12345), if any.</summary>
    public string? ExternalRegistryId { get; private set; }

    public OrganisationStatus Status { get; private set; }

    /// <summary>Grows by one with every status change; events carry it so consumers keep the newest status.</summary>
    public long StatusVersion { get; private set; }

    public DateTimeOffset RegisteredAt { get; private set; }

    public DateTimeOffset StatusChangedAt { get; private set; }

    public OrganisationProfile Profile { get; private set; } = OrganisationProfile.Empty;

    /// <summary>
    /// The organisation's own address for its credentials: invitations to create an API client go there and nowhere
    /// else. Set at registration; once the organisation has had an API client, only it may change the address.
    /// </summary>
    public string? ContactEmail { get; private set; }

    public void SetContactEmail(string? email) => ContactEmail = string.IsNullOrWhiteSpace(email) ? null : email.Trim();

    public DateTimeOffset? ProfileUpdatedAt { get; private set; }

    public void UpdateProfile(OrganisationProfile profile, DateTimeOffset now)
    {
        Profile = profile;
        ProfileUpdatedAt = now;
    }

    public static Organisation Register(
        string name, string country, OrganisationKind kind, DateTimeOffset now, string? externalRegistryId = null, string? contactEmail = null) => new()
    {
        ContactEmail = string.IsNullOrWhiteSpace(contactEmail) ? null : contactEmail.Trim(),
        ExternalRegistryId = string.IsNullOrWhiteSpace(externalRegistryId) ? null : externalRegistryId.Trim(),
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        NormalizedName = Normalize(name),
        Country = country,
        Kind = kind,
        Status = OrganisationStatus.PendingVerification,
        StatusVersion = 1,
        RegisteredAt = now,
        StatusChangedAt = now,
    };

    public static string Normalize(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    /// <summary>Whether the lifecycle allows this transition from the current status.</summary>
    public bool Allows(OrganisationTransition transition) => transition switch
    {
        OrganisationTransition.Verify => Status == OrganisationStatus.PendingVerification,
        OrganisationTransition.Suspend => Status == OrganisationStatus.Active,
        OrganisationTransition.Reinstate => Status == OrganisationStatus.Suspended,
        OrganisationTransition.Retire => Status != OrganisationStatus.Retired,
        _ => false,
    };

    /// <summary>Already in the status <paramref name="transition"/> leads to: asking for it again changes nothing.</summary>
    public bool IsAlready(OrganisationTransition transition) => Status == After(transition);

    /// <summary>Makes the transition and returns the event that announces it.</summary>
    public IOrganisationLifecycleEvent Apply(OrganisationTransition transition, DateTimeOffset now)
    {
        if (!Allows(transition))
        {
            throw new InvalidOperationException($"{transition} is not allowed while the organisation is {Status}.");
        }

        Status = After(transition);
        StatusVersion++;
        StatusChangedAt = now;
        return transition switch
        {
            OrganisationTransition.Verify => new OrganisationVerified(Id, StatusVersion, now),
            OrganisationTransition.Suspend => new OrganisationSuspended(Id, StatusVersion, now),
            OrganisationTransition.Reinstate => new OrganisationReinstated(Id, StatusVersion, now),
            _ => new OrganisationRetired(Id, StatusVersion, now),
        };
    }

    private static OrganisationStatus After(OrganisationTransition transition) => transition switch
    {
        OrganisationTransition.Verify or OrganisationTransition.Reinstate => OrganisationStatus.Active,
        OrganisationTransition.Suspend => OrganisationStatus.Suspended,
        _ => OrganisationStatus.Retired,
    };

    /// <summary>Organisations that may hold tokens: suspended and retired ones may not.</summary>
    public bool MayAuthenticate => Status is OrganisationStatus.PendingVerification or OrganisationStatus.Active;
}

public enum OrganisationTransition
{
    Verify,
    Suspend,
    Reinstate,
    Retire,
}
