using Imsa.Network.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Imsa.Network.Operations;

/// <summary>
/// One request that changed the service's data: who (organisation, client, person), through which endpoint, which
/// entities. Ids and type names only, never what was written. Append-only; an organisation reads its own.
/// </summary>
public sealed class ActivityEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    public Guid OrganisationId { get; init; }

    /// <summary>The API client, or the application a person signed in through.</summary>
    public string? ClientId { get; init; }

    /// <summary>The person who acted; null for an API client.</summary>
    public Guid? PersonId { get; init; }

    /// <summary>The HTTP method and the route pattern, e.g. "POST /cases/{caseId:guid}/consents".</summary>
    public required string Endpoint { get; init; }

    /// <summary>The entities changed, as "Type:key" ("Type" alone while the database has not given the key yet).</summary>
    public List<string> Changes { get; set; } = [];
}

/// <summary>
/// Records who changed what: for an authenticated request, every save that changes the service's own entities (the
/// types of its DbContext's assembly, so not the outbox, the inbox or the shared libraries' tables) adds one
/// <see cref="ActivityEntry"/> in the same transaction; later saves of the same request add their entities to it.
/// Consumers and background jobs run outside a request and record nothing here.
/// </summary>
public sealed class ActivityRecorder(IHttpContextAccessor http, TimeProvider time) : SaveChangesInterceptor
{
    public const int MaxChanges = 200;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Record(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? db)
    {
        if (db is null || http.HttpContext is not { } request || request.User.OrganisationIdOrNull() is not { } organisation
            || request.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        db.ChangeTracker.DetectChanges();
        var ownTypes = db.GetType().Assembly;
        var changes = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                && e.Metadata.ClrType.Assembly == ownTypes && !e.Metadata.IsOwned())
            .Select(Named)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var key = (typeof(ActivityRecorder), db);
        if (request.Items[key] is ActivityEntry earlier && db.Entry(earlier).State != EntityState.Detached)
        {
            earlier.Changes = [.. earlier.Changes.Concat(changes).Distinct(StringComparer.Ordinal).Take(MaxChanges)];
            return;
        }

        var actor = NetworkActor.Of(request.User);
        var entry = new ActivityEntry
        {
            At = time.GetUtcNow(),
            OrganisationId = organisation,
            ClientId = actor.ClientId,
            PersonId = actor.PersonId,
            Endpoint = EndpointOf(request),
            Changes = [.. changes.Take(MaxChanges)],
        };
        db.Set<ActivityEntry>().Add(entry);
        request.Items[key] = entry;
    }

    private static string Named(EntityEntry entry)
    {
        var key = entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name)).ToList();
        return key is null || key.Any(p => p.IsTemporary || p.CurrentValue is null)
            ? entry.Metadata.ClrType.Name
            : $"{entry.Metadata.ClrType.Name}:{string.Join('/', key.Select(p => p.CurrentValue))}";
    }

    private static string EndpointOf(HttpContext request)
    {
        var route = request.GetEndpoint() is RouteEndpoint endpoint ? endpoint.RoutePattern.RawText ?? request.Request.Path.Value : request.Request.Path.Value;
        // A group's "/" adds a trailing slash ("/cases/"): the route is named as its callers write it.
        var text = $"{request.Request.Method} /{route?.Trim('/')}";
        return text.Length <= 300 ? text : text[..300];
    }
}
