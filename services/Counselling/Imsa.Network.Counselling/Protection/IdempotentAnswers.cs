using Imsa.Network.Counselling.Data;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Protection;

/// <summary>
/// How Counselling keeps the answers of writes made under an Idempotency-Key: an answer about a case (its content, a
/// session, a consent receipt with its withdrawal code) is sealed under that case's own data key, so erasing the case
/// shreds it too and a repeat after the erasure answers 410; any other answer (admin operations) holds no personal
/// data and is kept as it is. The case is the route's ("id", "caseId"), or the one an endpoint names in
/// <see cref="CaseItem"/> (a case just opened).
/// </summary>
internal static class IdempotentAnswers
{
    public const string CaseItem = "imsa.idempotent-answer.case";

    private const byte Plain = 0;
    private const byte SealedUnderCase = 1;
    private const string Field = "idempotent-answer";

    public static IdempotentAnswerSealing Sealing { get; } = new(SealAsync, OpenAsync);

    private static async Task<byte[]> SealAsync(HttpContext http, byte[] answer, CancellationToken cancellationToken)
    {
        if (CaseOf(http) is { } caseId
            && await KeyOfAsync(http, caseId, cancellationToken) is { } key)
        {
            using var cipher = http.RequestServices.GetRequiredService<MasterKeyRing>().Open(key);
            return [SealedUnderCase, .. caseId.ToByteArray(), .. cipher.Seal(Field, answer)];
        }

        // No case, or one erased by this very request: nothing personal in the answer.
        return [Plain, .. answer];
    }

    private static async Task<byte[]?> OpenAsync(HttpContext http, byte[] stored, CancellationToken cancellationToken)
    {
        if (stored.Length == 0 || stored[0] == Plain)
        {
            return stored.Length == 0 ? [] : stored[1..];
        }

        var caseId = new Guid(stored.AsSpan(1, 16));
        if (await KeyOfAsync(http, caseId, cancellationToken) is not { } key)
        {
            return null;
        }

        using var cipher = http.RequestServices.GetRequiredService<MasterKeyRing>().Open(key);
        return cipher.Open(Field, stored[17..]);
    }

    private static Guid? CaseOf(HttpContext http) =>
        http.Items.TryGetValue(CaseItem, out var item) && item is Guid named ? named
        : Guid.TryParse(http.Request.RouteValues["caseId"]?.ToString() ?? http.Request.RouteValues["id"]?.ToString(), out var routed) ? routed
        : null;

    private static Task<Domain.CaseKey?> KeyOfAsync(HttpContext http, Guid caseId, CancellationToken cancellationToken) =>
        http.RequestServices.GetRequiredService<CounsellingDbContext>().CaseKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.CaseId == caseId, cancellationToken);
}
