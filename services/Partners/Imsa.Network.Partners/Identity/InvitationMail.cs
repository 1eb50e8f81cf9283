using System.Globalization;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Identity;

/// <summary>"Invitations" configuration.</summary>
internal sealed class InvitationOptions
{
    /// <summary>How long an invitation can be redeemed.</summary>
    public TimeSpan ValidFor { get; set; } = TimeSpan.FromDays(7);

    public InvitationMailOptions Mail { get; set; } = new();
}

/// <summary>"Invitations:Mail": how invitation codes reach organisations — by SMTP, or (development, tests) as files.</summary>
internal sealed class InvitationMailOptions
{
    public string From { get; set; } = "IMSA Network <no-reply@imsa-network.invalid>";

    /// <summary>Where there is no SMTP server (<see cref="SmtpHost"/> empty): each message is written here as an .eml file (run.sh's .local/mail).</summary>
    public string? PickupDirectory { get; set; }

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    /// <summary>STARTTLS on the submission port; an SMTP server that cannot is refused.</summary>
    public bool SmtpStartTls { get; set; } = true;

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }
}

/// <summary>
/// Sends an invitation's code to the organisation's contact address: the only place the code ever goes. Through an
/// SMTP server (STARTTLS) when one is configured, as in production; else into a pickup directory, one .eml file per message.
/// </summary>
internal sealed class InvitationMail(Mailer mailer, IOptions<NetworkOptions> network)
{
    public async Task SendAsync(string organisationName, string to, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var redeem = $"{network.Value.ServiceUrl("partners")}/invitations/redeem";
        await mailer.SendAsync(to, "Your invitation to IMSA Network: create your API client", string.Create(CultureInfo.InvariantCulture, $"""
                {organisationName} has been invited to IMSA Network.

                Create your organisation's first API client with this code. It works once, until
                {expiresAt:yyyy-MM-dd HH:mm} UTC. The secret you receive is shown to you only: nobody at the network,
                the coordinators included, sees it. Keep it in your system's secret store.

                Invitation code: {code}

                POST {redeem}
                Content-Type: application/json

                {"{"}"code": "{code}", "clientName": "our case system"{"}"}

                If you did not expect this message, do not use the code and tell the network's coordinators.
                """), cancellationToken);
    }

    /// <summary>
    /// A person's invitation to join their organisation: a link to enrol with (the code in it, and the language its
    /// pages open in, if the organisation chose one), to their own address only.
    /// </summary>
    public async Task SendToPersonAsync(
        string organisationName, string role, string to, string code, DateTimeOffset expiresAt, PersonLanguage? language, CancellationToken cancellationToken)
    {
        var partners = network.Value.ServiceUrl("partners");
        var lang = language is null ? "" : $"&lang={language.Code}";
        await mailer.SendAsync(to, $"You are invited to IMSA Network for {organisationName}", string.Create(CultureInfo.InvariantCulture, $"""
                {organisationName} invites you to IMSA Network as {role}.

                Open this link to join: choose a password of at least 15 characters, then add the account to an
                authenticator app and confirm it with a code from the app. The link works once, until
                {expiresAt:yyyy-MM-dd HH:mm} UTC, for you only.

                {partners}{EnrolmentPages.Path}?code={Uri.EscapeDataString(code)}{lang}

                Invitation code: {code}

                (Your organisation's own system can enrol you with the code instead: POST {partners}/people/enrolment.)

                If you did not expect this message, do not use the link and tell {organisationName}.
                """), cancellationToken);
    }
}
