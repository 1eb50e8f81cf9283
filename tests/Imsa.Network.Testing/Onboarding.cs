using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;

namespace Imsa.Network.Testing;

/// <summary>An API client's credentials, as the organisation received them.</summary>
public sealed record ClientCredentials(string ClientId, string ClientSecret);

/// <summary>
/// How an organisation gets its first API client, as in production: a coordinator invites it, the code arrives by
/// mail (the Partners services' pickup directory, <see cref="TestMail.Directory"/>, stands in for the organisation's mailbox), and the organisation
/// redeems it. The coordinator never sees the code or the secret.
/// </summary>
public static partial class Onboarding
{
    /// <summary>The address tests give an organisation for its credentials.</summary>
    public static string ContactEmail(Guid organisationId) => $"it-{organisationId:N}@example.org";

    /// <summary>Sets the organisation's contact address (as the coordinator, before it ever had a client), invites it, reads the mail and redeems the code.</summary>
    public static async Task<ClientCredentials> OnboardAsync(this HttpClient partners, string coordinatorToken, Guid organisationId, string clientName = "test client")
    {
        var email = ContactEmail(organisationId);
        (await partners.SendAsAsync(coordinatorToken, HttpMethod.Put, $"/organisations/{organisationId}/contact-email", new { contactEmail = email }))
            .EnsureSuccessStatusCode();
        var invited = await partners.SendAsAsync(coordinatorToken, HttpMethod.Post, $"/organisations/{organisationId}/invitations");
        if (invited.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Invitation refused: {(int)invited.StatusCode} {await invited.Content.ReadAsStringAsync()}");
        }

        var code = InvitationCode(email);
        return await partners.RedeemAsync(code, clientName);
    }

    /// <summary>Redeems an invitation code, anonymously, as the organisation does.</summary>
    public static async Task<ClientCredentials> RedeemAsync(this HttpClient partners, string code, string clientName = "test client")
    {
        var redeemed = await partners.PostAsJsonAsync("/invitations/redeem", new { code, clientName });
        if (redeemed.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Redemption refused: {(int)redeemed.StatusCode} {await redeemed.Content.ReadAsStringAsync()}");
        }

        var body = (await redeemed.Content.ReadFromJsonAsync<JsonObject>())!;
        return new ClientCredentials((string)body["clientId"]!, (string)body["clientSecret"]!);
    }

    /// <summary>The code of the newest invitation mailed to <paramref name="to"/>.</summary>
    public static string InvitationCode(string to) => FromNewestMail(to, CodeLine());

    /// <summary>The enrolment link of the newest invitation mailed to the person at <paramref name="to"/>.</summary>
    public static Uri InvitationLink(string to) => new(FromNewestMail(to, EnrolmentLink()));

    private static string FromNewestMail(string to, Regex pattern)
    {
        var mailDirectory = TestMail.Directory;
        foreach (var file in Directory.Exists(mailDirectory) ? Directory.GetFiles(mailDirectory, "*.eml").OrderByDescending(File.GetLastWriteTimeUtc).ToArray() : [])
        {
            var message = MimeMessage.Load(file);
            if (message.To.Mailboxes.Any(m => string.Equals(m.Address, to, StringComparison.OrdinalIgnoreCase))
                && pattern.Match(message.TextBody ?? "") is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"No invitation mailed to {to} in {mailDirectory}.");
    }

    [GeneratedRegex(@"Invitation code: (\S+)")]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"(https?://\S+/enrol\?code=\S+)")]
    private static partial Regex EnrolmentLink();
}

/// <summary>Where every Partners service of this test run drops the mail it sends: the organisations' mailbox. Mail is found by its recipient.</summary>
public static class TestMail
{
    public static string Directory { get; } = CreateDirectory();

    /// <summary>The mails to <paramref name="to"/> other than invitations (people's notifications), oldest first.</summary>
    public static IReadOnlyList<MimeMessage> NotificationsTo(string to) =>
        [.. (System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*.eml") : [])
            .Order(StringComparer.Ordinal)
            .Select(file => MimeMessage.Load(file))
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)))
            .Where(m => !(m.TextBody ?? "").Contains("Invitation code:", StringComparison.Ordinal))];

    private static string CreateDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "imsa-test-mail", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the next run's temporary-file clean-up.
            }
        };
        return directory;
    }
}
