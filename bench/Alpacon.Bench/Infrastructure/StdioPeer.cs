namespace Alpacon.Bench.Infrastructure;

/// <summary>An MCP server started as a child process and spoken to over its stdin/stdout, one JSON-RPC message per line.</summary>
public sealed class StdioPeer(ChildProcess process) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private int _nextId = 1;

    public ChildProcess Process { get; } = process;

    /// <summary>The initialize handshake (protocol 2025-11-25, what real hosts use) and the initialized notification.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var id = _nextId++;
        await Process.SendLineAsync(JsonRpc.Initialize(id), cancellationToken).ConfigureAwait(false);
        JsonRpc.CheckInitialize(await ResponseAsync(id, cancellationToken).ConfigureAwait(false));
        await Process.SendLineAsync(JsonRpc.Initialized, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request built for a fresh id and returns its response line.</summary>
    public async Task<string> RequestAsync(Func<int, string> request, CancellationToken cancellationToken)
    {
        var id = _nextId++;
        await Process.SendLineAsync(request(id), cancellationToken).ConfigureAwait(false);
        return await ResponseAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads lines until the response with <paramref name="id"/>; notifications in between are skipped.</summary>
    private async Task<string> ResponseAsync(int id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            while (true)
            {
                var line = await Process.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                if (JsonRpc.IdOf(line) == id)
                    return line;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"No answer to request {id} within {Timeout.TotalSeconds:0} s. stderr:\n{Process.ErrorTail}");
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
