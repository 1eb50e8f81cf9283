using System.Text.Json.Serialization;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Domain;

/// <summary>
/// A consent receipt after the Kantara Initiative Consent Receipt Specification v1.1: the person's record of what
/// they agreed to, with whom, for what, until when, and how to withdraw. Field names follow the specification;
/// <c>withdrawal</c>, <c>consentText</c>, <c>validFrom</c> and <c>validUntil</c> are this network's additions.
/// </summary>
/// <param name="ConsentTimestamp">Seconds since 1970-01-01 UTC at which consent was given.</param>
/// <param name="PiiPrincipalId">The person, by the pseudonymous case reference only.</param>
/// <param name="PolicyUrl">Where the consent text the person was shown can be read.</param>
/// <param name="Sensitive">Whether special categories of data (GDPR Art. 9) are released.</param>
public sealed record ConsentReceipt(
    string Version,
    string Jurisdiction,
    long ConsentTimestamp,
    string CollectionMethod,
    [property: JsonPropertyName("consentReceiptID")] string ConsentReceiptId,
    string Language,
    string PiiPrincipalId,
    IReadOnlyList<ReceiptController> PiiControllers,
    string PolicyUrl,
    IReadOnlyList<ReceiptService> Services,
    bool Sensitive,
    IReadOnlyList<string> SpiCat,
    ReceiptConsentText ConsentText,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    ReceiptWithdrawal Withdrawal);

/// <param name="PiiController">The organisation that counselled the person and recorded the consent.</param>
public sealed record ReceiptController(string PiiController, bool OnBehalf, string? Contact, string PiiControllerUrl);

public sealed record ReceiptService(string Service, IReadOnlyList<ReceiptPurpose> Purposes);

/// <param name="ThirdPartyName">The receiving services released from confidentiality.</param>
public sealed record ReceiptPurpose(
    string Purpose,
    IReadOnlyList<string> PurposeCategory,
    string ConsentType,
    IReadOnlyList<string> PiiCategory,
    bool PrimaryPurpose,
    string Termination,
    bool ThirdPartyDisclosure,
    string ThirdPartyName);

public sealed record ReceiptConsentText(string Language, string Version, string Sha256);

/// <param name="Code">The one-time withdrawal code: present only on the receipt issued when the consent was recorded.</param>
/// <param name="Endpoint">Where the person can withdraw alone with the code, no account needed.</param>
public sealed record ReceiptWithdrawal(string? Code, string Endpoint, string Instructions);

internal static class ConsentReceipts
{
    // Organisations are named by their network ids: events carry no names, so this service knows none. The
    // partner's client shows the names beside them (GET /directory/services on the Partners service).
    public static ConsentReceipt For(Consent consent, string baseUrl, string? withdrawalCode)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var recipients = string.Join("; ", consent.Recipients.Select(r => $"urn:imsa:organisation:{r}"));
        var termination = $"Valid until {consent.ValidUntil:yyyy-MM-dd}. Withdraw at any time: with your counselling service, with the receiving service, or alone with your withdrawal code.";
        return new ConsentReceipt(
            Version: "KI-CR-v1.1.0",
            Jurisdiction: "DE",
            ConsentTimestamp: consent.ObtainedAt.ToUnixTimeSeconds(),
            CollectionMethod: EnumCodes.Of(consent.Method),
            ConsentReceiptId: consent.Id.ToString(),
            Language: consent.TextLanguage,
            PiiPrincipalId: $"case:{consent.CaseId}",
            PiiControllers:
            [
                new ReceiptController($"urn:imsa:organisation:{consent.OwnerOrganisationId}", OnBehalf: false, Contact: "Your counselling service", PiiControllerUrl: baseUrl),
            ],
            PolicyUrl: $"{baseUrl}/reference/consent-texts/{consent.TextLanguage}/{consent.TextVersion}",
            Services:
            [
                new ReceiptService("IMSA Network handover", [
                    new ReceiptPurpose(
                        Purpose: "Continuation of counselling after arrival in Germany",
                        PurposeCategory: [EnumCodes.Of(consent.Purpose)],
                        ConsentType: "EXPLICIT",
                        PiiCategory: consent.Categories,
                        PrimaryPurpose: true,
                        Termination: termination,
                        ThirdPartyDisclosure: true,
                        ThirdPartyName: recipients),
                ]),
            ],
            Sensitive: consent.Categories.Contains(DataCategories.SpecialCategories),
            SpiCat: consent.Categories.Contains(DataCategories.SpecialCategories) ? ["health", "vulnerability", "exploitation"] : [],
            ConsentText: new ReceiptConsentText(consent.TextLanguage, consent.TextVersion, consent.TextSha256),
            ValidFrom: consent.ValidFrom,
            ValidUntil: consent.ValidUntil,
            Withdrawal: new ReceiptWithdrawal(
                withdrawalCode,
                $"{baseUrl}/consent-withdrawals",
                "POST {\"code\": \"<your code>\"} to the endpoint, or give the code to any counselling service in the network."));
    }
}
