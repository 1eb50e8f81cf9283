using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;

namespace Imsa.Network.Web.Pages.Notifications;

// Partners' answers about notifications (GET /people/me/notifications…, /organisations/{id}/notification-minimums),
// as much of them as these pages show. A notification holds no personal data: references, organisations, dates, codes.

internal sealed record NotificationView(
    Guid Id,
    string Kind,
    string? Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt,
    Guid? HandoverId,
    Guid? CaseId,
    Guid? OrganisationId,
    string? OrganisationName,
    string? Code,
    DateTimeOffset? DueAt,
    string? Link,
    string? Mail)
{
    public bool Unread => ReadAt is null;
}

internal sealed record NotificationListView(int Unread, IReadOnlyList<NotificationView> Items, Guid? Next);

internal sealed record UnreadCountView(int Unread);

/// <param name="Choice">What applies: the person's own choice, else the default, never below the minimum.</param>
internal sealed record NotificationKindSetting(string Kind, string? Title, string Choice, string OrganisationMinimum, string Default);

internal sealed record NotificationSettingsView(string? Language, int DigestHourUtc, IReadOnlyList<NotificationKindSetting> Kinds);

internal sealed record NotificationMinimumView(string Kind, string? Title, IReadOnlyList<string> Roles, string Minimum);

internal sealed record NotificationMinimumsView(IReadOnlyList<NotificationMinimumView> Kinds);

/// <summary>The choices of e-mail for a kind, from the least to the most: a minimum allows those from it upwards.</summary>
internal static class NotificationChoices
{
    /// <summary>The choices as the settings list them, the most first.</summary>
    public static readonly IReadOnlyList<string> Offered = ["immediate", "digest", "off"];

    /// <summary>The minimums as the organisation's page lists them, the least first.</summary>
    public static readonly IReadOnlyList<string> Minimums = ["off", "digest", "immediate"];

    /// <summary>Whether <paramref name="choice"/> is below <paramref name="minimum"/> (an unknown minimum allows everything).</summary>
    public static bool Below(string choice, string? minimum) => Rank(choice) < Rank(minimum);

    /// <summary>A kind's name: Partners' title in the page's language, else this application's, else the code.</summary>
    public static string KindName(Texts texts, string kind, string? title) => string.IsNullOrWhiteSpace(title) ? texts.Code("notification.kind.", kind) : title;

    /// <summary>The <c>?language=</c> every call passes, so Partners renders titles in the page's language.</summary>
    public static string LanguageQuery => "language=" + Languages.Current.Code;

    private static int Rank(string? choice) => choice switch
    {
        "digest" => 1,
        "immediate" => 2,
        _ => 0,
    };
}

/// <summary>
/// The header's unread count: one call to Partners per page (<c>GET /people/me/notifications/unread-count</c>), or
/// none when the page already read the count (the list). It never breaks a page: a refusal, a timeout or an
/// unreachable Partners leaves the link without a count.
/// </summary>
internal sealed class NotificationBadge(NetworkApi api)
{
    /// <summary>Long enough for a Partners that answers, short enough that a slow one does not hold up every page.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private bool _asked;

    private int? _unread;

    /// <summary>The count as the page's own call read it: the header uses it rather than asking again.</summary>
    public void Know(int unread) => (_asked, _unread) = (true, unread);

    public async Task<int?> UnreadAsync(CancellationToken cancellationToken)
    {
        if (_asked)
        {
            return _unread;
        }

        _asked = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        try
        {
            var result = await api.GetAsync<UnreadCountView>(SignInEndpoints.PartnersClient, "people/me/notifications/unread-count", timeout.Token);
            _unread = result.Value?.Unread;
        }
        catch (SignInAgainException)
        {
            // The page's own calls send the person to sign in again; the header only goes without its count.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Partners took too long: the link without a count.
        }

        return _unread;
    }
}
