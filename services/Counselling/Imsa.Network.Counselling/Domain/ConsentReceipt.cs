using System.Text.Json.Serialization;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Domain;

/// <summary>
/// A consent receipt after the Kantara Initiative Consent Receipt Specification v1.1: the person's record of what
/// they agreed to, with whom, for what, until when, and how to withdraw. Field names follow the specification;
/// <c>withdrawal</c>, <c>consentText</c>, <c>validFrom</c>, <c>validUntil</c> and <c>signature</c> are this network's additions.
/// </summary>
/// <param name="Signature">A detached JWS (compact form <c>header..signature</c>, ES256) over the receipt without this member,
/// canonicalised by RFC 8785; the key is published at /.well-known/jwks.json by its kid (docs/api.md).</param>
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
    ReceiptWithdrawal Withdrawal,
    string? Signature = null);

/// <param name="PiiController">The organisation that counselled the person and recorded the consent: its name, or its
/// <c>urn:imsa:organisation:&lt;id&gt;</c> while this service has not learnt its name.</param>
/// <param name="Contact">Whom to ask there: the first contact of the organisation's profile (a function or role, never a private person).</param>
/// <param name="PiiControllerId">The organisation as <c>urn:imsa:organisation:&lt;id&gt;</c> (this network's addition).</param>
public sealed record ReceiptController(
    string PiiController,
    bool OnBehalf,
    string? Contact,
    ReceiptAddress? Address,
    string? Email,
    string? Phone,
    string PiiControllerUrl,
    string PiiControllerId);

/// <summary>A postal address in schema.org PostalAddress terms.</summary>
public sealed record ReceiptAddress(string StreetAddress, string PostalCode, string AddressLocality, string AddressCountry);

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

/// <param name="TranslationChecked">Whether a qualified translator has checked the text in this language.</param>
/// <param name="TranslationNotice">For a translation not yet checked: a sentence that says so.</param>
public sealed record ReceiptConsentText(string Language, string Version, string Sha256, bool TranslationChecked, string? TranslationNotice);

/// <param name="Code">The one-time withdrawal code: present only on the receipt issued when the consent was recorded.</param>
/// <param name="Endpoint">Where the person can withdraw alone with the code, no account needed.</param>
public sealed record ReceiptWithdrawal(string? Code, string Endpoint, string Instructions);

internal static class ConsentReceipts
{
    // The recipients are named by their network ids: events carry no names of receiving services here. The
    // partner's client shows the names beside them (GET /directory/services on the Partners service).
    /// <param name="text">The published text the consent names (null only if it was never published here).</param>
    /// <param name="controller">How the owner is reached, from its profile (null while Partners has not announced it).</param>
    public static ConsentReceipt For(Consent consent, ConsentText? text, ControllerContact? controller, string baseUrl, string? withdrawalCode)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var recipients = string.Join("; ", consent.Recipients.Select(r => $"urn:imsa:organisation:{r}"));
        var termination = $"Valid until {consent.ValidUntil:yyyy-MM-dd}. Withdraw at any time: with your counselling service, with the receiving service, or alone with your withdrawal code.";
        var owner = $"urn:imsa:organisation:{consent.OwnerOrganisationId}";
        var translationChecked = text?.TranslationChecked ?? false;
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
                new ReceiptController(
                    PiiController: controller?.Name ?? owner,
                    OnBehalf: false,
                    Contact: controller?.Role ?? "Your counselling service",
                    Address: controller is { Street: { } street, PostalCode: { } postalCode, City: { } city, Country: { } country }
                        ? new ReceiptAddress(street, postalCode, city, country)
                        : null,
                    Email: controller?.Email,
                    Phone: controller?.Phone,
                    PiiControllerUrl: baseUrl,
                    PiiControllerId: owner),
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
            ConsentText: new ReceiptConsentText(
                consent.TextLanguage, consent.TextVersion, consent.TextSha256, translationChecked,
                translationChecked ? null : ConsentTexts.ConsentTexts.UncheckedNotice),
            ValidFrom: consent.ValidFrom,
            ValidUntil: consent.ValidUntil,
            Withdrawal: new ReceiptWithdrawal(
                withdrawalCode,
                $"{baseUrl}/consent-withdrawals",
                "POST {\"code\": \"<your code>\"} to the endpoint, or give the code to any counselling service in the network."));
    }
}
