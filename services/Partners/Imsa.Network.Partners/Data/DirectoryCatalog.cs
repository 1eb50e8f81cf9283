using System.Collections.Frozen;
using System.Data.Common;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Imsa.Network.Partners.Data;

/// <summary>
/// Counts changes to the directory; one row. <see cref="Version"/> is bumped in the transaction of every profile or
/// status change of a receiving service; <see cref="LoadVersion"/> after handover events have moved receivers' loads,
/// by <see cref="DirectoryLoadBump"/>, never inside a consumer's transaction.
/// </summary>
internal sealed class DirectoryState
{
    public int Id { get; set; }

    public long Version { get; set; }

    /// <summary>Counts changes to the receivers' open handovers only: those need no rebuild, just new counts.</summary>
    public long LoadVersion { get; set; }
}

/// <summary>
/// The directory index of this instance. Queries are answered from the last snapshot and never touch the database
/// (once a first snapshot exists); the snapshot is checked against <c>directory_state</c> at most once per
/// <see cref="CheckInterval"/> by <see cref="DirectoryRefresh"/>, in the background, and rebuilt there while queries
/// keep being answered from the previous one. A change made through this instance does not wait for that check: the
/// request that made it rebuilds the snapshot once its transaction has committed (<see cref="BumpAsync"/>,
/// <see cref="DirectoryCommitInterceptor"/>), so the same coordinator's next query sees it; other replicas see it
/// within about a second.
/// </summary>
internal sealed partial class DirectoryCatalog(IServiceScopeFactory scopes, GermanGeography geography, ILogger<DirectoryCatalog> logger)
    : IDisposable
{
    /// <summary>How often each instance reads <c>directory_state</c>: how late it sees another replica's change.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the open counts are reloaded even if <c>load_version</c> did not move: a bump lost with a stopped
    /// instance (it runs after the consumer's commit) is made up for within this time.
    /// </summary>
    public static readonly TimeSpan LoadReloadInterval = TimeSpan.FromSeconds(30);

    // One build or reload at a time; queries never wait on it once a snapshot exists.
    private readonly SemaphoreSlim _building = new(1, 1);
    private volatile Snapshot? _current;

    // Rebuilds asked for by this instance's own changes, and the highest of those a completed build started after.
    private long _refreshesAsked;
    private long _refreshesDone;

    /// <summary>The index last built, or null before the first build; may be behind the database by up to a check interval.</summary>
    public DirectoryIndex? Current => _current?.Index;

    /// <summary>
    /// The last snapshot, at once; only before the first one exists does this wait for it (joining the build at start,
    /// or building it if that failed).
    /// </summary>
    public ValueTask<DirectoryIndex> GetAsync(CancellationToken cancellationToken) =>
        _current is { } current ? ValueTask.FromResult(current.Index) : new ValueTask<DirectoryIndex>(FirstAsync(cancellationToken));

    /// <summary>
    /// Marks the directory changed; call inside the transaction of the change. All replicas see the new version at
    /// their next check; this one rebuilds as soon as the transaction commits, before the request answers (whether the
    /// transaction is the endpoint's own or an Idempotency-Key's that commits after the endpoint returns).
    /// </summary>
    public async Task BumpAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"UPDATE directory_state SET version = version + 1 WHERE id = 1", cancellationToken);
        db.DirectoryChangedBy = this;
    }

    /// <summary>
    /// Reads <c>directory_state</c> and, if it moved, rebuilds the index (the version moved) or reloads the open
    /// counts (only the load version moved, or <see cref="LoadReloadInterval"/> has passed). Queries meanwhile get the
    /// previous snapshot.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PartnersDbContext>();
        var state = await ReadStateAsync(db, cancellationToken);
        if (_current is { } current && !current.Behind(state))
        {
            return;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            // Read again: a build for this instance's own change may have run meanwhile and be newer than the first read.
            state = await ReadStateAsync(db, cancellationToken);
            if (_current is { } previous && previous.Version == state.Version)
            {
                if (previous.Behind(state))
                {
                    await ReloadLoadAsync(db, previous, state, cancellationToken);
                }
            }
            else
            {
                await BuildAsync(db, cancellationToken);
            }
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>
    /// Rebuilds the index from a read that starts after this call, for a change this instance has just committed;
    /// concurrent callers share one build. Queries meanwhile get the previous snapshot.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var asked = Interlocked.Increment(ref _refreshesAsked);
        await _building.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _refreshesDone) >= asked)
            {
                return;
            }

            // Every change asked for up to now has committed before this build reads.
            var covers = Volatile.Read(ref _refreshesAsked);
            await using var scope = scopes.CreateAsyncScope();
            await BuildAsync(scope.ServiceProvider.GetRequiredService<PartnersDbContext>(), cancellationToken);
            Volatile.Write(ref _refreshesDone, covers);
        }
        finally
        {
            _building.Release();
        }
    }

    public void Dispose() => _building.Dispose();

    private async Task<DirectoryIndex> FirstAsync(CancellationToken cancellationToken)
    {
        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } built)
            {
                return built.Index;
            }

            await using var scope = scopes.CreateAsyncScope();
            return await BuildAsync(scope.ServiceProvider.GetRequiredService<PartnersDbContext>(), cancellationToken);
        }
        finally
        {
            _building.Release();
        }
    }

    private static Task<VersionPair> ReadStateAsync(PartnersDbContext db, CancellationToken cancellationToken) =>
        db.DirectoryState.AsNoTracking().Where(s => s.Id == 1)
            .Select(s => new VersionPair(s.Version, s.LoadVersion)).SingleAsync(cancellationToken);

    /// <summary>Call holding <see cref="_building"/>. The versions are read first, so the data is at least as new as them.</summary>
    private async Task<DirectoryIndex> BuildAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(db, cancellationToken);
        var services = await db.Organisations.AsNoTracking()
            .Where(o => o.Kind == OrganisationKind.ReceivingService && o.Status == OrganisationStatus.Active)
            .ToListAsync(cancellationToken);
        var index = new DirectoryIndex(geography, services.Where(o => o.Profile.Receiving is not null).Select(ToEntry));
        index = index.WithOpenHandovers(await LoadAsync(db, cancellationToken));
        _current = new Snapshot(state.Version, state.LoadVersion, index, TimeProvider.System.GetTimestamp());
        LogBuilt(index.Count, state.Version);
        return index;
    }

    /// <summary>Call holding <see cref="_building"/>: new open counts on the same index, no rebuild.</summary>
    private async Task ReloadLoadAsync(PartnersDbContext db, Snapshot previous, VersionPair state, CancellationToken cancellationToken)
    {
        var load = await LoadAsync(db, cancellationToken);
        // Services whose handovers all ended are not in the counts any more: they go back to 0.
        var all = previous.Index.Entries.ToDictionary(e => e.Id, e => load.GetValueOrDefault(e.Id));
        _current = previous with
        {
            LoadVersion = state.LoadVersion,
            Index = previous.Index.WithOpenHandovers(all),
            LoadReadAt = TimeProvider.System.GetTimestamp(),
        };
    }

    /// <summary>Open handovers per receiver: one grouped query over the open rows only.</summary>
    private static Task<Dictionary<Guid, int>> LoadAsync(PartnersDbContext db, CancellationToken cancellationToken) =>
        db.ReceiverHandovers.AsNoTracking()
            .Where(h => h.Open)
            .GroupBy(h => h.ReceiverOrganisationId)
            .Select(g => new { Receiver = g.Key, Open = g.Count() })
            .ToDictionaryAsync(g => g.Receiver, g => g.Open, cancellationToken);

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Directory index built at version {Version}: {Services} receiving services")]
    private partial void LogBuilt(int services, long version);

    private sealed record VersionPair(long Version, long LoadVersion);

    private sealed record Snapshot(long Version, long LoadVersion, DirectoryIndex Index, long LoadReadAt)
    {
        /// <summary>Whether the database shows a change this snapshot lacks, or its counts are due for a reload anyway.</summary>
        public bool Behind(VersionPair state) =>
            state.Version != Version || state.LoadVersion != LoadVersion
            || TimeProvider.System.GetElapsedTime(LoadReadAt) >= LoadReloadInterval;
    }
}

/// <summary>
/// Runs what a directory change asks of this instance once its transaction has committed: rebuilding the index, so
/// the request that changed a profile or a status answers only when this instance's matching shows it. Registered on
/// <see cref="PartnersDbContext"/>, whose transactions are either an endpoint's own or an Idempotency-Key's that
/// commits after the endpoint has returned; this catches both.
/// </summary>
internal sealed class DirectoryCommitInterceptor : DbTransactionInterceptor
{
    public static readonly DirectoryCommitInterceptor Instance = new();

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is PartnersDbContext { DirectoryChangedBy: { } catalog } db)
        {
            db.DirectoryChangedBy = null;
            try
            {
                await catalog.RefreshAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                // Committed all the same: the periodic check rebuilds within a second; the change must not be reported as failed.
            }
        }
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is PartnersDbContext { DirectoryChangedBy: not null } db)
        {
            // Only async commits rebuild at once; a synchronous one leaves it to the periodic check.
            db.DirectoryChangedBy = null;
        }
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData);

    private static void Forget(TransactionEndEventData eventData)
    {
        if (eventData.Context is PartnersDbContext db)
        {
            db.DirectoryChangedBy = null;
        }
    }
}
