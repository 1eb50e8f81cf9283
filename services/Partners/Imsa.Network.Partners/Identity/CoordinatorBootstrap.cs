using Imsa.Network.Contracts.Partners;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// A fresh installation's first coordinator: when "Identity:Bootstrap:ClientId" and "Identity:Bootstrap:ClientSecret"
/// are configured (from the environment or a secret store, never the repository) and no client of that id exists,
/// the coordinator organisation is registered, verified and given that client. Later coordinators are made through
/// the API by this one. The configuration stays the source of truth for that client's secret: when it changed, the
/// stored hash follows at the next start (unless the client was revoked).
/// </summary>
internal static partial class CoordinatorBootstrap
{
    public static async Task BootstrapCoordinatorAsync(this WebApplication app)
    {
        var clientId = app.Configuration["Identity:Bootstrap:ClientId"];
        var secret = app.Configuration["Identity:Bootstrap:ClientSecret"];
        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(secret))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PartnersDbContext>();
        if (await db.ApiClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId) is { } existing)
        {
            // Only ever a coordinator's client: configuration naming a partner's client id must not take it over.
            var ofCoordinator = await db.Organisations.AnyAsync(o => o.Id == existing.OrganisationId && o.Kind == OrganisationKind.Coordinator);
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            if (!ofCoordinator)
            {
                NotACoordinatorsClient(app.Logger);
            }
            else if (existing.RevokedAt is null
                && await applications.FindByClientIdAsync(clientId) is { } application
                && !await applications.ValidateClientSecretAsync(application, secret))
            {
                await applications.UpdateAsync(application, secret);
                db.CredentialEvents.Add(CredentialEvent.Of(existing.OrganisationId, "client-rotated", scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(), CredentialActor.Service, clientId, reason: "Identity:Bootstrap:ClientSecret changed"));
                await db.SaveChangesAsync();
            }

            return;
        }

        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var name = app.Configuration["Identity:Bootstrap:OrganisationName"] ?? "IMSA Network coordination";
        var organisation = await db.Organisations.FirstOrDefaultAsync(o => o.NormalizedName == Organisation.Normalize(name) && o.Country == "DE");
        if (organisation is null)
        {
            var now = time.GetUtcNow();
            organisation = Organisation.Register(name, "DE", OrganisationKind.Coordinator, now);
            db.Organisations.Add(organisation);
            db.AddEvent(new OrganisationRegistered(organisation.Id, EnumCodes.Of(organisation.Kind), organisation.Country, EnumCodes.Of(OrganisationStatus.PendingVerification), now), time);
            db.AddEvent(organisation.Apply(OrganisationTransition.Verify, now), time);
            await db.SaveChangesAsync();
        }

        await scope.ServiceProvider.GetRequiredService<ApiClients>()
            .CreateAsync(organisation.Id, "bootstrap coordinator client", CredentialActor.Service, CancellationToken.None, clientId, secret);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity:Bootstrap:ClientId names an API client of an organisation that is not a coordinator; its secret is left as it is.")]
    private static partial void NotACoordinatorsClient(ILogger logger);
}
