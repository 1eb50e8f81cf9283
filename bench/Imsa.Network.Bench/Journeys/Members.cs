using System.Globalization;
using System.Net.Http.Headers;
using MimeKit;

namespace Imsa.Network.Bench.Journeys;

/// <summary>An organisation of the network, registered and verified by the coordinator, with an API client of its own.</summary>
public sealed class Member(Guid id, string name, string clientId, string clientSecret)
{
    public Guid Id { get; } = id;

    public string Name { get; } = name;

    /// <summary>Its current access token (renewed before each phase: tokens live ten minutes).</summary>
    public AuthenticationHeaderValue Token { get; private set; } = new("Bearer", "");

    public async Task RenewTokenAsync(JourneyApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        Token = await api.TokenAsync(clientId, clientSecret, cancellationToken);
    }
}

/// <summary>The origin partners and receiving services of a run, set up through the Partners API as a coordinator would.</summary>
public sealed class Members
{
    private Members(IReadOnlyList<Member> partners, IReadOnlyList<Member> receivers)
    {
        Partners = partners;
        Receivers = receivers;
    }

    public IReadOnlyList<Member> Partners { get; }

    public IReadOnlyList<Member> Receivers { get; }

    /// <summary>
    /// For each organisation, as the coordinator: POST /organisations, PUT /organisations/{id}/contact-email,
    /// POST /organisations/{id}/invitations; as the organisation, POST /invitations/redeem with the code from its mail;
    /// as the coordinator, POST /organisations/{id}/verify; then its own token; a receiving service then saves its profile
    /// (PUT /organisations/{id}/profile) with the capacity given.
    /// </summary>
    public static async Task<Members> JoinAsync(
        JourneyApi api, string mailDirectory, string coordinatorClientId, string coordinatorSecret, int partners, int receivers, int capacity,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var coordinator = await api.TokenAsync(coordinatorClientId, coordinatorSecret, cancellationToken);
        var joinedPartners = new List<Member>();
        for (var i = 1; i <= partners; i++)
        {
            joinedPartners.Add(await JoinAsync(api, mailDirectory, coordinator, $"Bench Partner {i:D3}", Countries[i % Countries.Length], "origin-partner", profile: null, cancellationToken));
        }

        var joinedReceivers = new List<Member>();
        for (var i = 1; i <= receivers; i++)
        {
            joinedReceivers.Add(await JoinAsync(api, mailDirectory, coordinator, $"Bench Jugendmigrationsdienst {i:D3}", "DE", "receiving-service", ReceiverProfile(capacity), cancellationToken));
        }

        return new Members(joinedPartners, joinedReceivers);
    }

    public async Task RenewTokensAsync(JourneyApi api, CancellationToken cancellationToken)
    {
        foreach (var member in Partners.Concat(Receivers))
        {
            await member.RenewTokenAsync(api, cancellationToken);
        }
    }

    private static readonly string[] Countries = ["MA", "TN", "EG", "IN", "VN", "CO", "BR", "PH", "KE", "GH"];

    private static async Task<Member> JoinAsync(
        JourneyApi api, string mailDirectory, AuthenticationHeaderValue coordinator, string name, string country, string kind, object? profile, CancellationToken cancellationToken)
    {
        var registered = await ExpectAsync(api, HttpMethod.Post, new Uri(api.Partners, "organisations"), coordinator, new { name, country, kind }, 201, cancellationToken);
        Guid id;
        using (var json = registered.Json())
        {
            id = json.RootElement.GetProperty("id").GetGuid();
        }

        // As in production, the coordinator invites and the organisation redeems the code it was mailed: the coordinator never holds its secret.
        var email = $"it-{id:N}@bench.example.org";
        await ExpectAsync(api, HttpMethod.Put, new Uri(api.Partners, $"organisations/{id}/contact-email"), coordinator, new { contactEmail = email }, 200, cancellationToken);
        await ExpectAsync(api, HttpMethod.Post, new Uri(api.Partners, $"organisations/{id}/invitations"), coordinator, body: null, 201, cancellationToken);
        var created = await ExpectAsync(
            api, HttpMethod.Post, new Uri(api.Partners, "invitations/redeem"), token: null, new { code = InvitationCode(mailDirectory, email), clientName = "case system" }, 201, cancellationToken);
        string clientId, clientSecret;
        using (var json = created.Json())
        {
            clientId = json.RootElement.GetProperty("clientId").GetString()!;
            clientSecret = json.RootElement.GetProperty("clientSecret").GetString()!;
        }

        await ExpectAsync(api, HttpMethod.Post, new Uri(api.Partners, $"organisations/{id}/verify"), coordinator, body: null, 200, cancellationToken);
        var member = new Member(id, name, clientId, clientSecret);
        await member.RenewTokenAsync(api, cancellationToken);
        if (profile is not null)
        {
            await ExpectAsync(api, HttpMethod.Put, new Uri(api.Partners, $"organisations/{id}/profile"), member.Token, profile, 200, cancellationToken);
        }

        return member;
    }

    /// <summary>A youth migration service in Mainz (district 07315), as in the end-to-end tests, with the capacity given.</summary>
    private static object ReceiverProfile(int capacity) => new
    {
        languages = new[] { "de", "ar", "fr" },
        topics = new[] { "EDU", "LANG", "REC", "WORK" },
        receiving = new
        {
            serviceTypes = new[] { "JMD" },
            area = new { districts = new[] { "07315" } },
            eligibility = new { minAge = 12, maxAge = 26 },
            capacity = new { accepting = true, maxOpenHandovers = capacity },
        },
    };

    /// <summary>The invitation code in the mail sent to <paramref name="to"/>.</summary>
    private static string InvitationCode(string mailDirectory, string to)
    {
        foreach (var file in Directory.GetFiles(mailDirectory, "*.eml"))
        {
            var message = MimeMessage.Load(file);
            if (message.To.Mailboxes.Any(m => m.Address == to)
                && (message.TextBody ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("Invitation code: ", StringComparison.Ordinal)) is { } line)
            {
                return line["Invitation code: ".Length..].Trim();
            }
        }

        throw new InvalidOperationException($"No invitation mailed to {to} in {mailDirectory}.");
    }

    private static async Task<Answer> ExpectAsync(
        JourneyApi api, HttpMethod method, Uri uri, AuthenticationHeaderValue? token, object? body, int expected, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync(method, uri, token, body is null ? null : JourneyApi.Body(body), cancellationToken);
        return answer.Is(expected)
            ? answer
            : throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture, $"{method} {uri.AbsolutePath} answered {answer.Status}, not {expected}: {answer.Excerpt()}"));
    }
}
