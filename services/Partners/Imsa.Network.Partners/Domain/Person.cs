using Imsa.Network.Access;
using Microsoft.AspNetCore.Identity;

namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A person who works for one organisation — a counsellor, an organisation admin — or for the coordination office.
/// Their name and e-mail address are personal data of staff: they stay in Partners (schema "identity") and never
/// travel in events, which name people by id only. A person becomes active once they have set a password and an
/// authenticator (multi-factor authentication is required of everyone).
/// </summary>
internal sealed class Person : IdentityUser<Guid>
{
    public Guid OrganisationId { get; set; }

    /// <summary><see cref="PersonRoles"/>: what the person may do for their organisation.</summary>
    public string Role { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When they confirmed their authenticator: before that they cannot sign in.</summary>
    public DateTimeOffset? ActivatedAt { get; set; }

    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>The language of their notification mails (de, en, fr, ar); null: the organisation's usual one (<see cref="Notifications.NotificationTexts.DefaultLanguage"/>).</summary>
    public string? NotificationLanguage { get; set; }

    /// <summary>The last authenticator time step accepted: a code is good once (RFC 6238 section 5.2).</summary>
    public long? LastTotpStep { get; set; }

    /// <summary>Enrolled and not deactivated: a person who can sign in (a lockout passes).</summary>
    public bool IsActive => ActivatedAt is not null && DeactivatedAt is null;
}

/// <summary>The roles a person can have, each tied to the kind of organisation they work for.</summary>
internal static class PersonRoles
{
    /// <summary>Cases, consent, handovers, dossiers: the counselling work of a partner or a receiving service.</summary>
    public const string Counsellor = NetworkPersonRoles.Counsellor;

    /// <summary>The organisation's people, API clients, profile, capacity and webhooks.</summary>
    public const string OrganisationAdmin = NetworkPersonRoles.OrganisationAdmin;

    /// <summary>A person of the coordination office.</summary>
    public const string Coordinator = NetworkPersonRoles.Coordinator;

    public static readonly string[] All = [Counsellor, OrganisationAdmin, Coordinator];

    /// <summary>Coordinators work for the coordination office only; counsellors and admins for any other organisation.</summary>
    public static bool FitsKind(string role, OrganisationKind kind) =>
        kind == OrganisationKind.Coordinator ? role is Coordinator : role is Counsellor or OrganisationAdmin;

    /// <summary>
    /// Whether giving <paramref name="person"/> the role <paramref name="role"/> would leave their organisation without
    /// an active organisation-admin (<paramref name="otherActiveAdmins"/>: how many it has besides them). An
    /// organisation keeps one, so that one of its own people can always manage them.
    /// </summary>
    public static bool TakesTheLastAdmin(Person person, string role, int otherActiveAdmins) =>
        role != OrganisationAdmin && IsTheLastAdmin(person, otherActiveAdmins);

    /// <summary>Whether deactivating <paramref name="person"/> would leave the organisation without an active organisation-admin.</summary>
    public static bool IsTheLastAdmin(Person person, int otherActiveAdmins) =>
        person is { Role: OrganisationAdmin, IsActive: true } && otherActiveAdmins == 0;
}
