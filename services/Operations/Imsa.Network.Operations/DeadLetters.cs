using System.Text;
using System.Text.Json;
using System.Collections.Frozen;
using Imsa.Network.Messaging;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Imsa.Network.Operations;

/// <summary>A dead-lettered message, described without its content.</summary>
/// <param name="ExceptionType">The type of the exception that put it here (not its message: that can quote data).</param>
/// <param name="Passing">
/// Whether the failure was one that passes (the database away: a connection failure, a timeout, a shutdown, a
/// serialization failure or deadlock): consumers now wait such failures out, but messages dead-lettered by an older
/// build can be replayed in bulk.
/// </param>
public sealed record DeadLetter(Guid? MessageId, string? MessageType, DateTimeOffset? FailedAt, string? ExceptionType, bool Passing);

/// <param name="Queue">The receive queue whose dead letters these are.</param>
public sealed record QueueDeadLetters(string Queue, string ErrorQueue, uint Count, IReadOnlyList<DeadLetter> Messages);

/// <summary>
/// The broker user of the dead-letter operations ("RabbitMq:DeadLetters"): its own, allowed only to read this
/// service's _error queues and to publish to its receive endpoints' exchanges (deploy/broker/permissions.tsv), on the
/// service's broker and virtual host ("RabbitMq").
/// </summary>
public sealed class DeadLetterBrokerOptions
{
    public string? Username { get; set; }

    public string? Password { get; set; }
}

/// <summary>
/// The messages this service's consumers gave up on (MassTransit's "_error" queues), seen and repaired through
/// RabbitMQ.Client: list them, replay one or all to the queue they failed in (once the cause is fixed), or discard
/// one. Replaying keeps the message id, so the consumer's inbox still recognises a message it did handle.
/// </summary>
public sealed class DeadLetters(IOptions<RabbitMqOptions> options, IOptions<DeadLetterBrokerOptions> user, ReceiveQueues queues)
{
    private const int MaxListed = 50;

    // As DatabaseFailures decides for a live exception: connection exceptions (class 08), the server shutting down or
    // refusing connections, serialization failure, deadlock, lock not available, insufficient resources.
    private static readonly FrozenSet<string> PassingStates = FrozenSet.Create(
        StringComparer.Ordinal,
        "08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "40001", "40P01", "55P03", "53000", "53100", "53200", "53300", "53400");

    public async Task<IReadOnlyList<QueueDeadLetters>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var result = new List<QueueDeadLetters>();
        foreach (var queue in queues.Names)
        {
            var errorQueue = queue + "_error";
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            uint count;
            try
            {
                count = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount;
            }
            catch (OperationInterruptedException)
            {
                // No message has failed there yet: the queue does not exist.
                continue;
            }

            var messages = new List<DeadLetter>();
            ulong lastTag = 0;
            while (messages.Count < Math.Min(count, MaxListed)
                && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } delivery)
            {
                messages.Add(Describe(delivery));
                lastTag = delivery.DeliveryTag;
            }

            if (lastTag > 0)
            {
                // Back where they were: listing moves nothing.
                await channel.BasicNackAsync(lastTag, multiple: true, requeue: true, cancellationToken);
            }

            result.Add(new QueueDeadLetters(queue, errorQueue, count, messages));
        }

        return result;
    }

    /// <summary>Sends dead letters of <paramref name="queue"/> back to it: the one with <paramref name="messageId"/>, or all. Returns how many.</summary>
    public Task<int> ReplayAsync(string queue, Guid? messageId, CancellationToken cancellationToken) =>
        TakeAsync(queue, letter => messageId is not { } wanted || letter.MessageId == wanted, messageId is not null, replay: true, cancellationToken);

    /// <summary>Deletes the dead letter with <paramref name="messageId"/> from <paramref name="queue"/>'s error queue; 0 when there is none.</summary>
    public Task<int> DiscardAsync(string queue, Guid messageId, CancellationToken cancellationToken) =>
        TakeAsync(queue, letter => letter.MessageId == messageId, single: true, replay: false, cancellationToken);

    /// <summary>Sends back, in every queue of this service, the dead letters whose failure passes (<see cref="DeadLetter.Passing"/>); the others stay.</summary>
    public async Task<IReadOnlyList<DeadLetterResult>> ReplayPassingAsync(CancellationToken cancellationToken)
    {
        var replayed = new List<DeadLetterResult>();
        foreach (var queue in queues.Names)
        {
            replayed.Add(new DeadLetterResult(queue, await TakeAsync(queue, letter => letter.Passing, single: false, replay: true, cancellationToken)));
        }

        return replayed;
    }

    public bool IsReceiveQueue(string queue) => queues.Contains(queue);

    /// <param name="single">Stop after the first that <paramref name="wanted"/> takes.</param>
    private async Task<int> TakeAsync(string queue, Func<DeadLetter, bool> wanted, bool single, bool replay, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var errorQueue = queue + "_error";
        uint count;
        try
        {
            count = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0;
        }

        var taken = 0;
        var skipped = new List<ulong>();
        for (var i = 0; i < count && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } delivery; i++)
        {
            if (!wanted(Describe(delivery)))
            {
                skipped.Add(delivery.DeliveryTag);
                continue;
            }

            if (replay)
            {
                // Back to the receive queue through its own exchange (MassTransit binds an exchange of the queue's name
                // to it; the default exchange would reach any queue, so this user may not use it), without the fault
                // headers; confirmed before the ack.
                var properties = new BasicProperties(delivery.BasicProperties)
                {
                    Headers = delivery.BasicProperties.Headers?
                        .Where(h => !h.Key.StartsWith("MT-Fault", StringComparison.Ordinal) && h.Key != "MT-Reason")
                        .ToDictionary(h => h.Key, h => h.Value),
                };
                await channel.BasicPublishAsync(queue, string.Empty, mandatory: true, properties, delivery.Body, cancellationToken);
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            taken++;
            if (single)
            {
                break;
            }
        }

        foreach (var tag in skipped)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }

        return taken;
    }

    private static DeadLetter Describe(BasicGetResult delivery)
    {
        var headers = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();

        Guid? messageId = Guid.TryParse(delivery.BasicProperties.MessageId, out var id) ? id : null;
        string? messageType = null;
        try
        {
            using var envelope = JsonDocument.Parse(delivery.Body);
            if (messageId is null && envelope.RootElement.TryGetProperty("messageId", out var idElement) && Guid.TryParse(idElement.GetString(), out var parsed))
            {
                messageId = parsed;
            }

            if (envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0)
            {
                messageType = types[0].GetString()?.Split(':')[^1];
            }
        }
        catch (JsonException)
        {
            messageType = "(not JSON)";
        }

        var failedAt = DateTimeOffset.TryParse(Header("MT-Fault-Timestamp"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : (DateTimeOffset?)null;
        var exceptionType = Header("MT-Fault-ExceptionType");
        return new DeadLetter(messageId, messageType, failedAt, exceptionType, Passes(exceptionType, Header("MT-Fault-Message")));
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (user.Value is not { Username: { Length: > 0 } username, Password: { Length: > 0 } password })
        {
            throw new DependencyUnavailableException("The dead-letter operations have no broker user (RabbitMq:DeadLetters:Username and Password).");
        }

        var factory = options.Value.ConnectionFactory("imsa-dead-letters");
        factory.UserName = username;
        factory.Password = password;
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new DependencyUnavailableException("The message broker is not reachable.", ex);
        }
    }

    // A PostgreSQL error's message starts with its SQLSTATE ("57P01: terminating connection ..."); only that is read.
    private static bool Passes(string? exceptionType, string? message) => exceptionType switch
    {
        "Npgsql.NpgsqlException" or "System.TimeoutException" or "System.Net.Sockets.SocketException" => true,
        "Npgsql.PostgresException" => message is { Length: >= 5 } && PassingStates.Contains(message[..5]),
        _ => false,
    };
}
