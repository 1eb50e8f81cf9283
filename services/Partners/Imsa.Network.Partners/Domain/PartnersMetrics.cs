using System.Diagnostics.Metrics;

namespace Imsa.Network.Partners.Domain;

/// <summary>
/// The Partners meter ("Imsa.Network.Partners"): tokens issued by grant type and organisation kind, token lockouts
/// (per client id or per address) and people locked out of signing in, webhook deliveries and failed attempts by
/// outcome, notification mails by outcome. Labels come from those small sets only: never a client id, an address, a person or an organisation.
/// </summary>
internal sealed class PartnersMetrics
{
    public const string MeterName = "Imsa.Network.Partners";

    private readonly Counter<long> _tokens;
    private readonly Counter<long> _tokenLockouts;
    private readonly Counter<long> _personLockouts;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _webhookFailures;
    private readonly Counter<long> _notificationMails;

    public PartnersMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _tokens = meter.CreateCounter<long>(
            "imsa.partners.tokens.issued", "{token}", "Access tokens issued, by grant type and the kind of organisation they are for.");
        _tokenLockouts = meter.CreateCounter<long>(
            "imsa.partners.tokens.lockouts", "{lockout}", "Lockouts at the token endpoint after repeated failed client authentications, per client id or per address.");
        _personLockouts = meter.CreateCounter<long>(
            "imsa.partners.people.lockouts", "{lockout}", "People locked out of signing in after wrong passwords or codes.");
        _webhookDeliveries = meter.CreateCounter<long>(
            "imsa.partners.webhooks.deliveries", "{delivery}", "Webhook deliveries the endpoint accepted (2xx).");
        _webhookFailures = meter.CreateCounter<long>(
            "imsa.partners.webhooks.failures", "{delivery}",
            "Webhook deliveries that did not succeed, by outcome: retrying (tried again later), gave-up (failed for good), circuit-open, subscription-deleted.");
        _notificationMails = meter.CreateCounter<long>(
            "imsa.partners.notifications.mails", "{mail}",
            "Notification mails (one notification, or a digest), by outcome: sent, retrying (the mail server did not take it; tried again later), "
            + "failed (given up after the configured attempts), cancelled (the person is no longer active).");
    }

    /// <param name="grantType">"client_credentials" or "authorization_code".</param>
    /// <param name="organisationKind">The organisation kind's code (coordinator, counselling-partner, receiving-service).</param>
    public void TokenIssued(string grantType, string organisationKind) => _tokens.Add(
        1, new KeyValuePair<string, object?>("grant_type", grantType), new KeyValuePair<string, object?>("organisation_kind", organisationKind));

    /// <param name="scope">"client" or "address".</param>
    public void TokenLockout(string scope) => _tokenLockouts.Add(1, new KeyValuePair<string, object?>("scope", scope));

    public void PersonLockout() => _personLockouts.Add(1);

    public void WebhookDelivered() => _webhookDeliveries.Add(1);

    /// <param name="outcome">"retrying", "gave-up", "circuit-open" or "subscription-deleted".</param>
    public void WebhookFailed(string outcome) => _webhookFailures.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="outcome">"sent", "retrying", "failed" or "cancelled".</param>
    public void NotificationMail(string outcome) => _notificationMails.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
