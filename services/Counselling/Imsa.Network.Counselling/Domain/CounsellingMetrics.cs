using System.Diagnostics.Metrics;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Domain;

/// <summary>How a request for a case's dossier ended (the label of <c>imsa.counselling.dossier.reads</c>).</summary>
internal enum DossierReadOutcome
{
    /// <summary>Read, and its disclosure logged.</summary>
    Disclosed,

    /// <summary>No handover to the caller, or no such case: 404.</summary>
    NotFound,

    /// <summary>The person restricted the case's processing: 403.</summary>
    Restricted,

    /// <summary>No active consent names the caller: 403.</summary>
    NoConsent,
}

/// <summary>
/// The Counselling meter ("Imsa.Network.Counselling"): dossier reads by outcome, and consents ended by channel
/// (the owner partner, a receiving service, the person with the receipt's code, or expiry). Labels are those codes
/// only: never a case, a consent or an organisation.
/// </summary>
internal sealed class CounsellingMetrics
{
    public const string MeterName = "Imsa.Network.Counselling";

    private readonly Counter<long> _dossierReads;
    private readonly Counter<long> _withdrawals;

    public CounsellingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _dossierReads = meter.CreateCounter<long>(
            "imsa.counselling.dossier.reads", "{request}", "Requests for a case's dossier by receiving services, by outcome.");
        _withdrawals = meter.CreateCounter<long>(
            "imsa.counselling.consent.withdrawals", "{consent}", "Consents ended, by channel (expiry included).");
    }

    public void DossierRead(DossierReadOutcome outcome) =>
        _dossierReads.Add(1, new KeyValuePair<string, object?>("outcome", EnumCodes.Of(outcome)));

    public void ConsentEnded(WithdrawalChannel channel) =>
        _withdrawals.Add(1, new KeyValuePair<string, object?>("channel", EnumCodes.Of(channel)));
}
