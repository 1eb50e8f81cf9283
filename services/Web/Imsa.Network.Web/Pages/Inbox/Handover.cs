using Imsa.Network.Web.Api;

namespace Imsa.Network.Web.Pages.Inbox;

/// <summary>
/// A handover as Handovers shows it to its receiver, as much of it as these pages show: codes, dates and the partner's
/// note, never the person (that is in the dossier, under consent).
/// </summary>
internal sealed record Handover(
    Guid Id,
    Guid CaseId,
    string Status,
    IReadOnlyList<string> Topics,
    DateOnly? PlannedArrival,
    string? Message,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AnswerDueAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? FollowUpDueAt,
    bool FollowUpDue,
    string? DeclineReason,
    string? DeclineNote,
    string? LastOutcome,
    DateOnly? LastOutcomeOn)
{
    /// <summary>The receiver may still answer the offer.</summary>
    public bool Answerable => Status is "offered" or "escalated";

    /// <summary>The receiver holds it: the dossier opens and outcomes are reported.</summary>
    public bool Held => Status is "accepted" or "in-contact";
}

/// <summary>The codes of Handovers' reference data, in the order the forms list them.</summary>
internal static class HandoverCodes
{
    public static readonly IReadOnlyList<string> Statuses =
        ["offered", "escalated", "accepted", "in-contact", "completed", "declined", "withdrawn", "revoked"];

    public static readonly IReadOnlyList<string> DeclineReasons =
        ["no-capacity", "not-eligible", "outside-service-area", "language-not-available", "duplicate", "other"];

    public static readonly IReadOnlyList<string> Outcomes =
        ["first-appointment-booked", "first-contact-made", "did-not-arrive", "could-not-be-contacted"];

    public static readonly IReadOnlyList<string> Topics =
    [
        "RES", "ASYL", "FAMR", "REC", "LANG", "WORK", "EDU", "LABR", "SOCB", "SOCS", "HOUS",
        "HLTH", "FAMK", "PSY", "DISC", "VIOL", "FIN", "ADMN", "ORNT", "PART", "PREP", "RETN",
    ];

    /// <summary>The translated message for a refusal; a 409 says the handover moved on (answered, withdrawn, revoked).</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status == 409 ? "problem.409" : CasesModel.ProblemText(problem);

    /// <summary>Whether the refusal names <paramref name="field"/> (the API's field names, compared without case).</summary>
    public static bool Names(this ApiProblem? problem, string field) =>
        problem?.Fields.Contains(field, StringComparer.OrdinalIgnoreCase) == true;
}
