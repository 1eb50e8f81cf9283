using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Domain.Notifications;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// Sends the network's mails — invitations as configured in "Invitations:Mail", people's notifications in
/// "Notifications:Mail" when it names a server or directory of its own, else the same way: through an SMTP server
/// (STARTTLS) when one is configured, as in production; else into a pickup directory, one .eml file per message. A
/// mail the server does not take is a <see cref="DependencyUnavailableException"/>: the caller retries.
/// </summary>
internal sealed class Mailer(IOptions<InvitationOptions> invitations, IOptions<NotificationOptions> notifications)
{
    /// <summary>Invitations' way: their codes go nowhere else.</summary>
    public Task SendAsync(string to, string subject, string text, CancellationToken cancellationToken) =>
        SendAsync(invitations.Value.Mail, to, subject, text, cancellationToken);

    /// <summary>Notifications' way: "Notifications:Mail" (e.g. a relay for bulk mail, another sender), else the invitations'.</summary>
    public Task SendNotificationAsync(string to, string subject, string text, CancellationToken cancellationToken) =>
        SendAsync(
            notifications.Value.Mail is { } own && (own.SmtpHost is { Length: > 0 } || own.PickupDirectory is { Length: > 0 }) ? own : invitations.Value.Mail,
            to, subject, text, cancellationToken);

    private static async Task SendAsync(InvitationMailOptions mail, string to, string subject, string text, CancellationToken cancellationToken)
    {
        var body = new TextPart("plain");
        // UTF-8 always: German, French and Arabic alike, whatever the text holds.
        body.SetText(Encoding.UTF8, text);
        var message = new MimeMessage { Subject = subject, Body = body };
        message.From.Add(MailboxAddress.Parse(mail.From));
        message.To.Add(MailboxAddress.Parse(to));
        if (mail.SmtpHost is not { Length: > 0 } host)
        {
            if (mail.PickupDirectory is not { Length: > 0 } directory)
            {
                throw new DependencyUnavailableException("No mail delivery is configured (Invitations:Mail:SmtpHost or PickupDirectory).");
            }

            try
            {
                Directory.CreateDirectory(directory);
                var name = $"{DateTime.UtcNow:yyyyMMddHHmmssfffffff}-{Guid.NewGuid():N}";
                var partial = Path.Combine(directory, name + ".tmp");
                await message.WriteToAsync(partial, cancellationToken);
                File.Move(partial, Path.Combine(directory, name + ".eml"));
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DependencyUnavailableException("The mail pickup directory could not be written.", ex);
            }
        }

        using var smtp = new SmtpClient();
        try
        {
            await smtp.ConnectAsync(host, mail.SmtpPort, mail.SmtpStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.Auto, cancellationToken);
            if (mail.SmtpUsername is { Length: > 0 } username)
            {
                await smtp.AuthenticateAsync(username, mail.SmtpPassword ?? "", cancellationToken);
            }

            await smtp.SendAsync(message, cancellationToken);
            await smtp.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException or AuthenticationException)
        {
            throw new DependencyUnavailableException("The mail server did not take the message.", ex);
        }
    }
}
