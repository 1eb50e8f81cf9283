using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Imsa.Network.Partners.Domain.Webhooks;
using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Partners.Domain.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using System.Text.Json;

namespace Imsa.Network.Partners.Data;

internal sealed class PartnersDbContext(DbContextOptions<PartnersDbContext> options) : IdentityUserContext<Person, Guid>(options), IDataProtectionKeyContext
{
    private static readonly JsonSerializerOptions ProfileJson = new(JsonSerializerDefaults.Web);

    public DbSet<Organisation> Organisations => Set<Organisation>();

    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<CredentialEvent> CredentialEvents => Set<CredentialEvent>();

    public DbSet<PersonInvitation> PersonInvitations => Set<PersonInvitation>();

    public DbSet<DirectoryState> DirectoryState => Set<DirectoryState>();

    public DbSet<ReceiverHandover> ReceiverHandovers => Set<ReceiverHandover>();

    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<ErasedCase> ErasedCases => Set<ErasedCase>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<NotificationMail> NotificationMails => Set<NotificationMail>();

    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();

    public DbSet<NotificationMinimum> NotificationMinimums => Set<NotificationMinimum>();

    /// <summary>The instances' shared Data Protection key ring, each key sealed with the master key (<see cref="SharedKeyRing"/>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Set by <see cref="DirectoryCatalog.BumpAsync"/> when this context's transaction changes the directory: the
    /// catalog to rebuild once it commits (<see cref="DirectoryCommitInterceptor"/>).
    /// </summary>
    internal DirectoryCatalog? DirectoryChangedBy { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // People's accounts (ASP.NET Core Identity's model), in a schema of their own: staff personal data.
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Person>(person =>
        {
            person.ToTable("people", "identity");
            person.Property(p => p.OrganisationId).HasColumnName("organisation_id");
            person.Property(p => p.Role).HasColumnName("role").HasMaxLength(40);
            person.Property(p => p.DisplayName).HasColumnName("display_name").HasMaxLength(200);
            person.Property(p => p.CreatedAt).HasColumnName("created_at");
            person.Property(p => p.ActivatedAt).HasColumnName("activated_at");
            person.Property(p => p.DeactivatedAt).HasColumnName("deactivated_at");
            person.Property(p => p.LastTotpStep).HasColumnName("last_totp_step");
            person.Property(p => p.NotificationLanguage).HasColumnName("notification_language").HasMaxLength(2);
            person.HasIndex(p => p.OrganisationId);
            person.HasOne<Organisation>().WithMany().HasForeignKey(p => p.OrganisationId);
        });
        modelBuilder.Entity<DataProtectionKey>(key =>
        {
            key.ToTable("data_protection_keys", "identity");
            key.Property(k => k.Id).HasColumnName("id");
            key.Property(k => k.FriendlyName).HasColumnName("friendly_name");
            key.Property(k => k.Xml).HasColumnName("xml");
        });
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("person_claims", "identity");
        modelBuilder.Entity<IdentityUserLogin<Guid>>().ToTable("person_logins", "identity");
        modelBuilder.Entity<IdentityUserToken<Guid>>().ToTable("person_tokens", "identity");
        modelBuilder.Entity<IdentityUserPasskey<Guid>>().ToTable("person_passkeys", "identity");
        modelBuilder.Entity<PersonInvitation>(invitation =>
        {
            invitation.ToTable("person_invitations", "identity");
            MapOneTimeInvitation(invitation);
            invitation.Property(i => i.Email).HasColumnName("email").HasMaxLength(254);
            invitation.Property(i => i.Role).HasColumnName("role").HasMaxLength(40);
            invitation.Property(i => i.DisplayName).HasColumnName("display_name").HasMaxLength(200);
            invitation.Property(i => i.PersonId).HasColumnName("person_id");
        });

        modelBuilder.AddMessaging();
        modelBuilder.AddNetworkAccess();
        modelBuilder.AddOperations();
        modelBuilder.AddIdempotentRequests();
        modelBuilder.AddRateLimits();
        // The token server's applications (clients with hashed secrets), authorizations, scopes and tokens.
        modelBuilder.UseOpenIddict();

        modelBuilder.Entity<Organisation>(organisation =>
        {
            organisation.ToTable("organisations");
            organisation.HasKey(o => o.Id);
            organisation.Property(o => o.Id).HasColumnName("id");
            organisation.Property(o => o.Name).HasColumnName("name").HasMaxLength(300);
            organisation.Property(o => o.NormalizedName).HasColumnName("normalized_name").HasMaxLength(300);
            organisation.Property(o => o.Country).HasColumnName("country").HasMaxLength(2).IsFixedLength();
            organisation.Property(o => o.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(40);
            organisation.Property(o => o.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(40);
            organisation.Property(o => o.StatusVersion).HasColumnName("status_version").IsConcurrencyToken();
            organisation.Property(o => o.RegisteredAt).HasColumnName("registered_at");
            organisation.Property(o => o.StatusChangedAt).HasColumnName("status_changed_at");
            organisation.Property(o => o.Profile).HasColumnName("profile").HasColumnType("jsonb")
                .HasConversion(
                    profile => JsonSerializer.Serialize(profile, ProfileJson),
                    json => JsonSerializer.Deserialize<OrganisationProfile>(json, ProfileJson) ?? OrganisationProfile.Empty,
                    new ValueComparer<OrganisationProfile>(
                        (a, b) => JsonSerializer.Serialize(a, ProfileJson) == JsonSerializer.Serialize(b, ProfileJson),
                        profile => JsonSerializer.Serialize(profile, ProfileJson).GetHashCode(StringComparison.Ordinal),
                        profile => profile));
            organisation.Property(o => o.ProfileUpdatedAt).HasColumnName("profile_updated_at");
            organisation.Property(o => o.ExternalRegistryId).HasColumnName("external_registry_id").HasMaxLength(100);
            organisation.Property(o => o.ContactEmail).HasColumnName("contact_email").HasMaxLength(254);
            organisation.HasIndex(o => new { o.NormalizedName, o.Country }).IsUnique();
            organisation.HasIndex(o => new { o.Country, o.ExternalRegistryId }).IsUnique().HasFilter("external_registry_id IS NOT NULL");
        });

        modelBuilder.Entity<Invitation>(invitation =>
        {
            invitation.ToTable("invitations");
            MapOneTimeInvitation(invitation);
            invitation.Property(i => i.SentTo).HasColumnName("sent_to").HasMaxLength(254);
            invitation.Property(i => i.RedeemedClientId).HasColumnName("redeemed_client_id").HasMaxLength(100);
        });

        modelBuilder.Entity<CredentialEvent>(credentialEvent =>
        {
            credentialEvent.ToTable("credential_events");
            credentialEvent.HasKey(e => e.Id);
            credentialEvent.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            credentialEvent.Property(e => e.OrganisationId).HasColumnName("organisation_id");
            credentialEvent.Property(e => e.At).HasColumnName("at");
            credentialEvent.Property(e => e.Kind).HasColumnName("kind").HasMaxLength(40);
            credentialEvent.Property(e => e.ClientId).HasColumnName("client_id").HasMaxLength(100);
            credentialEvent.Property(e => e.InvitationId).HasColumnName("invitation_id");
            credentialEvent.Property(e => e.ActorOrganisationId).HasColumnName("actor_organisation_id");
            credentialEvent.Property(e => e.ActorClientId).HasColumnName("actor_client_id").HasMaxLength(100);
            credentialEvent.Property(e => e.PersonId).HasColumnName("person_id");
            credentialEvent.Property(e => e.ActorPersonId).HasColumnName("actor_person_id");
            credentialEvent.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(500);
            credentialEvent.HasIndex(e => new { e.OrganisationId, e.At });
        });

        modelBuilder.Entity<DirectoryState>(state =>
        {
            state.ToTable("directory_state");
            state.HasKey(s => s.Id);
            state.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            state.Property(s => s.Version).HasColumnName("version");
            state.Property(s => s.LoadVersion).HasColumnName("load_version");
            state.HasData(new DirectoryState { Id = 1, Version = 0 });
        });

        modelBuilder.Entity<WebhookSubscription>(subscription =>
        {
            subscription.ToTable("webhook_subscriptions");
            subscription.HasKey(s => s.Id);
            subscription.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            subscription.Property(s => s.OrganisationId).HasColumnName("organisation_id");
            subscription.Property(s => s.Url).HasColumnName("url").HasMaxLength(500);
            subscription.Property(s => s.EventTypes).HasColumnName("event_types");
            subscription.Property(s => s.LegacySecret).HasColumnName("secret").HasMaxLength(100);
            subscription.Property(s => s.SealedSecret).HasColumnName("sealed_secret");
            subscription.Property(s => s.SecretKeyId).HasColumnName("secret_key_id").HasMaxLength(100);
            subscription.Property(s => s.PreviousSealedSecret).HasColumnName("previous_sealed_secret");
            subscription.Property(s => s.PreviousSecretKeyId).HasColumnName("previous_secret_key_id").HasMaxLength(100);
            subscription.Property(s => s.PreviousSecretUntil).HasColumnName("previous_secret_until");
            subscription.Property(s => s.Version).IsRowVersion().HasColumnName("xmin");
            subscription.Property(s => s.CreatedAt).HasColumnName("created_at");
            subscription.Property(s => s.DeletedAt).HasColumnName("deleted_at");
            subscription.HasIndex(s => s.OrganisationId).HasFilter("deleted_at IS NULL");
        });

        modelBuilder.Entity<ErasedCase>(erased =>
        {
            erased.ToTable("erased_cases");
            erased.HasKey(e => e.CaseId);
            erased.Property(e => e.CaseId).HasColumnName("case_id").ValueGeneratedNever();
            erased.Property(e => e.ErasedAt).HasColumnName("erased_at");
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Id).HasColumnName("id").ValueGeneratedNever();
            delivery.Property(d => d.SubscriptionId).HasColumnName("subscription_id");
            delivery.Property(d => d.EventId).HasColumnName("event_id");
            delivery.Property(d => d.EventType).HasColumnName("event_type").HasMaxLength(60);
            delivery.Property(d => d.Payload).HasColumnName("payload").HasColumnType("jsonb");
            delivery.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            delivery.Property(d => d.Attempts).HasColumnName("attempts");
            delivery.Property(d => d.CreatedAt).HasColumnName("created_at");
            delivery.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
            delivery.Property(d => d.ClaimedUntil).HasColumnName("claimed_until");
            delivery.Property(d => d.LastStatusCode).HasColumnName("last_status_code");
            delivery.Property(d => d.LastError).HasColumnName("last_error").HasMaxLength(500);
            delivery.Property(d => d.DeliveredAt).HasColumnName("delivered_at");
            // One delivery per subscription and event, whatever arrives twice.
            delivery.HasIndex(d => new { d.SubscriptionId, d.EventId }).IsUnique();
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'Pending'");
        });

        modelBuilder.Entity<ReceiverHandover>(handover =>
        {
            handover.ToTable("receiver_handovers");
            handover.HasKey(h => h.HandoverId);
            handover.Property(h => h.HandoverId).HasColumnName("handover_id").ValueGeneratedNever();
            handover.Property(h => h.ReceiverOrganisationId).HasColumnName("receiver_organisation_id");
            handover.Property(h => h.Open).HasColumnName("open");
            // Two events of one ticket applied at once must not both win: the later commit re-reads and defers.
            handover.Property(h => h.Version).HasColumnName("version").IsConcurrencyToken();
            handover.Property(h => h.UpdatedAt).HasColumnName("updated_at");
            handover.HasIndex(h => h.ReceiverOrganisationId).HasFilter("open");
        });

        modelBuilder.Entity<Notification>(notification =>
        {
            notification.ToTable("notifications");
            notification.HasKey(n => n.Id);
            notification.Property(n => n.Id).HasColumnName("id").ValueGeneratedNever();
            notification.Property(n => n.PersonId).HasColumnName("person_id");
            notification.Property(n => n.Kind).HasColumnName("kind").HasMaxLength(40);
            notification.Property(n => n.SourceKey).HasColumnName("source_key").HasMaxLength(120);
            notification.Property(n => n.Link).HasColumnName("link").HasMaxLength(200);
            notification.Property(n => n.HandoverId).HasColumnName("handover_id");
            notification.Property(n => n.CaseId).HasColumnName("case_id");
            notification.Property(n => n.OrganisationId).HasColumnName("organisation_id");
            notification.Property(n => n.Code).HasColumnName("code").HasMaxLength(60);
            notification.Property(n => n.DueAt).HasColumnName("due_at");
            notification.Property(n => n.Delivery).HasColumnName("delivery");
            notification.Property(n => n.MailId).HasColumnName("mail_id");
            notification.Property(n => n.CreatedAt).HasColumnName("created_at");
            notification.Property(n => n.ReadAt).HasColumnName("read_at");
            // One per source and person, whatever arrives twice; and a person's list, newest first.
            notification.HasIndex(n => new { n.PersonId, n.SourceKey }).IsUnique();
            notification.HasIndex(n => new { n.PersonId, n.Id });
            notification.HasIndex(n => n.PersonId).HasFilter("read_at IS NULL").HasDatabaseName("IX_notifications_unread");
            // The digests still to make.
            notification.HasIndex(n => n.CreatedAt).HasFilter("mail_id IS NULL").HasDatabaseName("IX_notifications_undigested");
            notification.HasIndex(n => n.MailId);
            notification.HasIndex(n => n.CaseId).HasFilter("case_id IS NOT NULL");
            notification.HasOne<Person>().WithMany().HasForeignKey(n => n.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<NotificationMail>(mail =>
        {
            mail.ToTable("notification_mails");
            mail.HasKey(m => m.Id);
            mail.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
            mail.Property(m => m.PersonId).HasColumnName("person_id");
            mail.Property(m => m.Digest).HasColumnName("digest");
            mail.Property(m => m.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            mail.Property(m => m.Attempts).HasColumnName("attempts");
            mail.Property(m => m.CreatedAt).HasColumnName("created_at");
            mail.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            mail.Property(m => m.ClaimedUntil).HasColumnName("claimed_until");
            mail.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(200);
            mail.Property(m => m.SentAt).HasColumnName("sent_at");
            mail.HasIndex(m => m.NextAttemptAt).HasFilter("status = 'Pending'");
            mail.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<NotificationPreference>(preference =>
        {
            preference.ToTable("notification_preferences");
            preference.HasKey(p => new { p.PersonId, p.Kind });
            preference.Property(p => p.PersonId).HasColumnName("person_id");
            preference.Property(p => p.Kind).HasColumnName("kind").HasMaxLength(40);
            preference.Property(p => p.Choice).HasColumnName("choice");
            preference.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<NotificationMinimum>(minimum =>
        {
            minimum.ToTable("notification_minimums");
            minimum.HasKey(m => new { m.OrganisationId, m.Kind });
            minimum.Property(m => m.OrganisationId).HasColumnName("organisation_id");
            minimum.Property(m => m.Kind).HasColumnName("kind").HasMaxLength(40);
            minimum.Property(m => m.Minimum).HasColumnName("minimum");
            minimum.HasOne<Organisation>().WithMany().HasForeignKey(m => m.OrganisationId);
        });

        modelBuilder.Entity<ApiClient>(client =>
        {
            client.ToTable("api_clients");
            client.HasKey(c => c.ClientId);
            client.Property(c => c.ClientId).HasColumnName("client_id").HasMaxLength(100);
            client.Property(c => c.OrganisationId).HasColumnName("organisation_id");
            client.Property(c => c.Name).HasColumnName("name").HasMaxLength(200);
            client.Property(c => c.CreatedAt).HasColumnName("created_at");
            client.Property(c => c.SecretRotatedAt).HasColumnName("secret_rotated_at");
            client.Property(c => c.RevokedAt).HasColumnName("revoked_at");
            client.Property(c => c.RedirectUris).HasColumnName("redirect_uris");
            client.HasIndex(c => c.OrganisationId);
            client.HasOne<Organisation>().WithMany().HasForeignKey(c => c.OrganisationId);
        });
    }

    /// <summary>The columns every invitation has (<see cref="OneTimeInvitation"/>): one code hash, unique; its organisation.</summary>
    private static void MapOneTimeInvitation<T>(EntityTypeBuilder<T> invitation)
        where T : OneTimeInvitation
    {
        invitation.HasKey(i => i.Id);
        invitation.Property(i => i.Id).HasColumnName("id");
        invitation.Property(i => i.OrganisationId).HasColumnName("organisation_id");
        invitation.Property(i => i.CodeHash).HasColumnName("code_hash");
        invitation.Property(i => i.IssuedAt).HasColumnName("issued_at");
        invitation.Property(i => i.ExpiresAt).HasColumnName("expires_at");
        invitation.Property(i => i.IssuedByOrganisationId).HasColumnName("issued_by_organisation_id");
        invitation.Property(i => i.IssuedByClientId).HasColumnName("issued_by_client_id").HasMaxLength(100);
        invitation.Property(i => i.RedeemedAt).HasColumnName("redeemed_at");
        invitation.Property(i => i.VoidedAt).HasColumnName("voided_at");
        invitation.HasIndex(i => i.CodeHash).IsUnique();
        invitation.HasIndex(i => i.OrganisationId);
        invitation.HasOne<Organisation>().WithMany().HasForeignKey(i => i.OrganisationId);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running configuration.</summary>
internal sealed class PartnersDbContextFactory : IDesignTimeDbContextFactory<PartnersDbContext>
{
    public PartnersDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PartnersDbContext>()
            .UseNpgsql("Host=localhost")
            // Identity reads its schema version (passkeys: 3) from the application's IdentityOptions, as at run time.
            .UseApplicationServiceProvider(new ServiceCollection().Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3).BuildServiceProvider())
            .Options);
}
