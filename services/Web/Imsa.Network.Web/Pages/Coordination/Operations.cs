using System.Globalization;
using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>
/// A service whose operations coordinators look after (its dead letters, outbox quarantine and audit trail, each
/// under its own <c>/admin</c>): its code in the pages' addresses and forms, and the HTTP client that reaches it.
/// </summary>
internal sealed record NetworkService(string Code, string Client)
{
    public static readonly IReadOnlyList<NetworkService> All =
    [
        new("partners", SignInEndpoints.PartnersClient),
        new("counselling", NetworkApi.Counselling),
        new("handovers", NetworkApi.Handovers),
    ];

    public static NetworkService? Named(string? code) => All.FirstOrDefault(service => service.Code == code);

    public string Title => "operations.service." + Code;
}

/// <summary>A dead letter as the API describes it: type, id, time and exception type; never the message's content.</summary>
internal sealed record DeadLetter(Guid? MessageId, string? MessageType, DateTimeOffset? FailedAt, string? ExceptionType, bool Passing);

internal sealed record QueueDeadLetters(string Queue, string ErrorQueue, uint Count, IReadOnlyList<DeadLetter> Messages);

internal sealed record DeadLetterResult(string Queue, int Count);

/// <summary>An outbox row the relay gave up on, as the API describes it: never its body.</summary>
internal sealed record QuarantinedMessage(Guid MessageId, string MessageType, DateTimeOffset CreatedAt, int Attempts, string? LastError, DateTimeOffset QuarantinedAt)
{
    /// <summary>"Imsa.Network.Contracts.Handovers.HandoverEscalated, Imsa.Network.Contracts" → "HandoverEscalated".</summary>
    public string ShortType => MessageType.Split(',')[0].Split('.')[^1];
}

/// <summary>What one service answered for a page that shows every service: its value, or its refusal.</summary>
internal sealed record ServiceAnswer<T>(NetworkService Service, T Value, ApiProblem? Problem);

/// <summary>What the operations pages share: how a moment is shown, and which refusal text fits.</summary>
internal static class Operations
{
    /// <summary>The API's UTC time, in the person's culture, said to be UTC.</summary>
    public static string Moment(DateTimeOffset? at) =>
        at is { } moment ? moment.ToUniversalTime().ToString("g", CultureInfo.CurrentCulture) + " UTC" : "–";

    /// <summary>A reason for the audit trail as the API takes it: in the query, left out when empty.</summary>
    public static string ReasonQuery(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? "" : "?reason=" + Uri.EscapeDataString(reason.Trim());

    /// <summary>
    /// The page's status when every service refused the person's role: the pages are the APIs' (coordinators only),
    /// and a browser or a test reads the refusal from the status too.
    /// </summary>
    public static bool AllRefused<T>(IReadOnlyList<ServiceAnswer<T>> answers) =>
        answers.Count > 0 && answers.All(answer => answer.Problem?.Status == StatusCodes.Status403Forbidden);
}
