using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Imsa.Network.Testing;

/// <summary>
/// A TCP forwarder on loopback in front of a real server. <see cref="Cut"/> drops every connection and refuses
/// new ones (they are accepted and closed at once), like a broker that went away; <see cref="Restore"/> lets
/// connections through again. Other tests keep using the real server directly.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Upstream)> _open = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public void Cut()
    {
        _cut = true;
        foreach (var (id, pair) in _open)
        {
            Close(id, pair);
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            if (_cut)
            {
                client.Dispose();
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        var id = Guid.NewGuid();
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
            _open[id] = (client, upstream);
            var toServer = client.GetStream().CopyToAsync(upstream.GetStream(), _stopping.Token);
            var toClient = upstream.GetStream().CopyToAsync(client.GetStream(), _stopping.Token);
            await Task.WhenAny(toServer, toClient);
        }
#pragma warning disable CA1031 // A dropped connection is what this proxy is for.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Close(id, (client, upstream));
        }
    }

    private void Close(Guid id, (TcpClient Client, TcpClient Upstream) pair)
    {
        _open.TryRemove(id, out _);
        pair.Client.Dispose();
        pair.Upstream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stopping.Dispose();
    }
}
