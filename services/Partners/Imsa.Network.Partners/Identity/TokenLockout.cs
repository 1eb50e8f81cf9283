using System.Net;
using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Operations;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>How many failed client authentications are allowed before the token endpoint slows down and then locks out.</summary>
internal sealed class FailureLimit
{
    /// <summary>Failures within the window answered as usual.</summary>
    public int FreeFailures { get; set; }

    /// <summary>The failure that starts a lockout; those between <see cref="FreeFailures"/> and it each start a growing delay.</summary>
    public int LockoutAfter { get; set; }
}

/// <summary>"Limits:TokenLockout": failed client authentications at the token endpoint, per client id and per client address.</summary>
internal sealed class TokenLockoutOptions
{
    public FailureLimit PerClient { get; set; } = new() { FreeFailures = 5, LockoutAfter = 10 };

    /// <summary>Higher than per client: several systems of an organisation may share one address.</summary>
    public FailureLimit PerAddress { get; set; } = new() { FreeFailures = 20, LockoutAfter = 50 };

    /// <summary>How long failures are remembered, counted from the first.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first delay after the free failures; each further failure doubles it.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Failed client authentications at the token endpoint, counted per client id and per client address (the connection's,
/// or the one a configured proxy names) in the database every instance shares. After the free failures each further one
/// makes the endpoint refuse that client or address for a growing delay, and then for the lockout, with 429 and
/// Retry-After — even a correct secret, until the time is up. A lockout is written to the audit trail, naming a known
/// client by its id and an address not at all.
/// </summary>
internal sealed class TokenLockout(
    RateLimitCounters counters, IOptions<TokenLockoutOptions> options, PartnersDbContext db, TimeProvider time, PartnersMetrics metrics)
{
    public Task<DateTimeOffset?> RefusedUntilAsync(string? clientId, IPAddress? address, CancellationToken cancellationToken) =>
        counters.BlockedUntilAsync(clientId is { Length: > 0 } ? [ClientKey(clientId), AddressKey(address)] : [AddressKey(address)], cancellationToken);

    public async Task RecordFailureAsync(string? clientId, IPAddress? address, CancellationToken cancellationToken)
    {
        if (clientId is { Length: > 0 })
        {
            await CountAsync(ClientKey(clientId), options.Value.PerClient, clientId, cancellationToken);
        }

        await CountAsync(AddressKey(address), options.Value.PerAddress, clientId: null, cancellationToken);
    }

    private async Task CountAsync(string key, FailureLimit limit, string? clientId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var count = await counters.HitAsync(key, settings.Window, cancellationToken);
        if (count.Hits <= limit.FreeFailures)
        {
            return;
        }

        var lockedOut = count.Hits >= limit.LockoutAfter;
        var doublings = Math.Min(count.Hits - limit.FreeFailures - 1, 30);
        var delay = lockedOut ? settings.Lockout : TimeSpan.FromTicks((long)Math.Min(settings.Lockout.Ticks, settings.FirstDelay.Ticks * Math.Pow(2, doublings)));
        var until = time.GetUtcNow() + delay;
        await counters.BlockAsync(key, until, cancellationToken);
        if (lockedOut)
        {
            metrics.TokenLockout(clientId is null ? "address" : "client");
            await AuditAsync(count.Hits, until, clientId, cancellationToken);
        }
    }

    private async Task AuditAsync(int failures, DateTimeOffset until, string? clientId, CancellationToken cancellationToken)
    {
        // A client id as typed may be anything (a secret pasted in the wrong field): only a known one is named.
        var known = clientId is null
            ? null
            : await db.ApiClients.AsNoTracking().Where(c => c.ClientId == clientId).Select(c => new { c.ClientId, c.OrganisationId }).FirstOrDefaultAsync(cancellationToken);
        var (action, target) = clientId is null ? ("token.lockout-address", "client address")
            : known is null ? ("token.lockout-client", "unknown client")
            : ("token.lockout-client", known.ClientId);
        var reason = $"{failures} failed client authentications; tokens refused until {until:yyyy-MM-ddTHH:mm:ssZ}";
        db.RecordOwnAction(known?.OrganisationId ?? Guid.Empty, known?.ClientId, action, target, reason, time);
        if (known is not null)
        {
            // The organisation sees it in its own credential trail too; the service itself is the actor.
            db.CredentialEvents.Add(CredentialEvent.Of(known.OrganisationId, "client-locked-out", time.GetUtcNow(), CredentialActor.Service, clientId: known.ClientId, reason: reason));
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    // Hashed: a mistyped client id can be a secret.
    private static string ClientKey(string clientId) => $"token-client:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(clientId)))[..40]}";

    private static string AddressKey(IPAddress? address) => $"token-address:{address?.ToString() ?? "unknown"}";

    /// <summary>Before the client is authenticated: a locked-out client or address gets 429, whatever its secret.</summary>
    internal sealed class RefuseWhileLockedOut(TokenLockout lockout, TimeProvider time) : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
    {
        public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
        {
            var http = context.Transaction.GetHttpRequest()?.HttpContext
                ?? throw new InvalidOperationException("The token request has no HTTP context.");
            if (await lockout.RefusedUntilAsync(context.Request.ClientId, http.Connection.RemoteIpAddress, http.RequestAborted) is not { } until)
            {
                return;
            }

            await TooManyRequests.WriteAsync(http, until - time.GetUtcNow(),
                "Too many failed client authentications for this client or from this address. Try again after Retry-After seconds.");
            context.HandleRequest();
        }
    }

    /// <summary>Every answer that the client could not be authenticated counts as a failure.</summary>
    internal sealed class CountFailure(TokenLockout lockout) : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyTokenResponseContext>
    {
        public async ValueTask HandleAsync(OpenIddictServerEvents.ApplyTokenResponseContext context)
        {
            if (context.Response.Error != Errors.InvalidClient || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
            {
                return;
            }

            await lockout.RecordFailureAsync(context.Request?.ClientId, http.Connection.RemoteIpAddress, CancellationToken.None);
        }
    }
}
