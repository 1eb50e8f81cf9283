using System.Text.Json;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Handovers.Endpoints;

/// <summary>
/// How Handovers keeps the answers of writes made under an Idempotency-Key: an answer about a ticket (its message, a
/// decline note) is sealed under its case's text key (<see cref="TicketTexts"/>), so erasing the case shreds it too
/// and a repeat after the erasure answers 410. An answer about a case without free text, or none at all, holds no
/// personal data and is kept as it is. The case is the answer's own top-level "caseId".
/// </summary>
internal static class IdempotentAnswers
{
    private const byte Plain = 0;
    private const byte SealedUnderCase = 1;

    public static IdempotentAnswerSealing Sealing { get; } = new(SealAsync, OpenAsync);

    private static async Task<byte[]> SealAsync(HttpContext http, byte[] answer, CancellationToken cancellationToken)
    {
        if (CaseOf(answer) is { } caseId
            && await Texts(http).SealAnswerAsync(Db(http), caseId, answer, cancellationToken) is { } sealedAnswer)
        {
            return [SealedUnderCase, .. caseId.ToByteArray(), .. sealedAnswer];
        }

        return [Plain, .. answer];
    }

    private static async Task<byte[]?> OpenAsync(HttpContext http, byte[] stored, CancellationToken cancellationToken)
    {
        if (stored.Length == 0 || stored[0] == Plain)
        {
            return stored.Length == 0 ? [] : stored[1..];
        }

        return await Texts(http).OpenAnswerAsync(Db(http), new Guid(stored.AsSpan(1, 16)), stored[17..], cancellationToken);
    }

    /// <summary>The "caseId" of a JSON object answer; null for anything else.</summary>
    private static Guid? CaseOf(byte[] answer)
    {
        var reader = new Utf8JsonReader(answer);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCase = reader.ValueTextEquals("caseId"u8);
                reader.Read();
                if (isCase)
                {
                    return reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var caseId) ? caseId : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing of a case in it.
        }

        return null;
    }

    private static TicketTexts Texts(HttpContext http) => http.RequestServices.GetRequiredService<TicketTexts>();

    private static HandoversDbContext Db(HttpContext http) => http.RequestServices.GetRequiredService<HandoversDbContext>();
}
