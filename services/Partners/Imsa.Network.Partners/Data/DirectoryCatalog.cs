using System.Collections.Frozen;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Data;

/// <summary>Counts changes to the directory; one row, bumped in the transaction of every change.</summary>
internal sealed class DirectoryState
{
    public int Id { get; set; }

    public long Version { get; set; }

    /// <summary>Counts changes to the receivers' open handovers only: those need no rebuild, just new counts.</summary>
    public long LoadVersion { get; set; }
}

/// <summary>
/// The directory index of this instance, rebuilt from the database when the directory version has moved (so
/// every replica sees a change made through any of them); reading the version is one primary-key lookup.
/// </summary>
internal sealed class DirectoryCatalog(GermanGeography geography) : IDisposable
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private volatile Snapshot? _current;

    /// <summary>The index last built, or null before the first build; may be behind the database.</summary>
    public DirectoryIndex? Current => _current?.Index;

    public async Task<DirectoryIndex> GetAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        var state = await db.DirectoryState.AsNoTracking().Where(s => s.Id == 1)
            .Select(s => new { s.Version, s.LoadVersion }).SingleAsync(cancellationToken);
        if (_current is { } current && current.Version == state.Version && current.LoadVersion == state.LoadVersion)
        {
            return current.Index;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } built && built.Version == state.Version && built.LoadVersion == state.LoadVersion)
            {
                return built.Index;
            }

            var index = _current is { } previous && previous.Version == state.Version
                ? previous.Index
                : await BuildAsync(db, cancellationToken);
            // Receivers whose handovers all ended count 0: they are in the result, so stale counts are overwritten.
            var load = await db.ReceiverHandovers.AsNoTracking()
                .GroupBy(h => h.ReceiverOrganisationId)
                .Select(g => new { Receiver = g.Key, Open = g.Count(h => h.Open) })
                .ToDictionaryAsync(g => g.Receiver, g => g.Open, cancellationToken);
            index = index.WithOpenHandovers(load);
            _current = new Snapshot(state.Version, state.LoadVersion, index);
            return index;
        }
        finally
        {
            _building.Release();
        }
    }

    private async Task<DirectoryIndex> BuildAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        var services = await db.Organisations.AsNoTracking()
            .Where(o => o.Kind == OrganisationKind.ReceivingService && o.Status == OrganisationStatus.Active)
            .ToListAsync(cancellationToken);
        return new DirectoryIndex(geography, services.Where(o => o.Profile.Receiving is not null).Select(ToEntry));
    }

    /// <summary>Marks the directory changed; call inside the transaction of the change.</summary>
    public static Task BumpAsync(PartnersDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"UPDATE directory_state SET version = version + 1 WHERE id = 1", cancellationToken);

    /// <summary>Marks the receivers' open handovers changed; call inside the transaction of the change.</summary>
    public static Task BumpLoadAsync(PartnersDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"UPDATE directory_state SET load_version = load_version + 1 WHERE id = 1", cancellationToken);

    public void Dispose() => _building.Dispose();

    private static ReceivingServiceEntry ToEntry(Organisation organisation)
    {
        var receiving = organisation.Profile.Receiving!;
        return new ReceivingServiceEntry
        {
            Id = organisation.Id,
            Name = organisation.Name,
            ServiceTypes = receiving.ServiceTypes.ToFrozenSet(StringComparer.Ordinal),
            Area = new ServiceArea
            {
                States = receiving.Area.States.ToFrozenSet(StringComparer.Ordinal),
                Districts = receiving.Area.Districts.ToFrozenSet(StringComparer.Ordinal),
                PostalCodes = receiving.Area.PostalCodes.ToFrozenSet(StringComparer.Ordinal),
            },
            Languages = organisation.Profile.Languages.ToFrozenSet(StringComparer.Ordinal),
            Topics = organisation.Profile.Topics.ToFrozenSet(StringComparer.Ordinal),
            Eligibility = new Eligibility
            {
                MinAge = receiving.Eligibility.MinAge,
                MaxAge = receiving.Eligibility.MaxAge,
                Purposes = receiving.Eligibility.Purposes.ToFrozenSet(StringComparer.Ordinal),
                ResidenceSituations = receiving.Eligibility.ResidenceSituations.ToFrozenSet(StringComparer.Ordinal),
            },
            Capacity = new Capacity
            {
                Accepting = receiving.Capacity.Accepting,
                MaxOpenHandovers = receiving.Capacity.MaxOpenHandovers,
                NoCapacityUntil = receiving.Capacity.NoCapacityUntil,
                Note = receiving.Capacity.Note,
            },
            // Filled in from the handover load projection (receiver_handovers) after the build.
            OpenHandovers = 0,
        };
    }

    private sealed record Snapshot(long Version, long LoadVersion, DirectoryIndex Index);
}
