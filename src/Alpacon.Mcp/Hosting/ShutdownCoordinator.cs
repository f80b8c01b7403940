using Alpacon.Mcp.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// Graceful stop (SIGTERM, Ctrl+C, stdin closed). Counts the tool calls in flight; once the host is stopping it
/// refuses new calls, lets the running ones finish for at most <see cref="ServerSettings.ShutdownTimeout"/>, then
/// closes every resource registered with <see cref="Register"/> (Websh channels and other long-lived connections).
/// Over HTTP, Kestrel stops first (ASP.NET Core registers it last) and drains the requests in flight itself; over
/// stdio this service is registered after the transport, so that it stops first and the transport does not cancel
/// the calls it waits for.
/// </summary>
public sealed class ShutdownCoordinator(ServerSettings settings, IHostApplicationLifetime lifetime, ILogger<ShutdownCoordinator> log) : IHostedService
{
    /// <summary>How long one registered resource gets to close.</summary>
    public static readonly TimeSpan ResourceCloseTimeout = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly HashSet<IAsyncDisposable> _resources = [];
    private TaskCompletionSource? _idle;
    private int _inFlight;
    private bool _stopping;
    private bool _closed;

    /// <summary>Tool calls running now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
                return _inFlight;
        }
    }

    public bool Stopping
    {
        get
        {
            lock (_gate)
                return _stopping;
        }
    }

    /// <summary>Marks a call as running until the returned handle is disposed; null when the server is stopping.</summary>
    public IDisposable? BeginCall()
    {
        lock (_gate)
        {
            if (_stopping)
                return null;
            _inFlight++;
        }
        return new Handle(EndCall);
    }

    /// <summary>
    /// Closes <paramref name="resource"/> when the server stops. Dispose the returned handle when the resource
    /// closes by itself earlier, so that it is not held until shutdown.
    /// </summary>
    public IDisposable Register(IAsyncDisposable resource)
    {
        bool closed;
        lock (_gate)
        {
            closed = _closed;
            if (!closed)
                _resources.Add(resource);
        }
        if (closed)
        {
            // Opened while the server was closing what it held: nobody would close it later.
            _ = CloseAsync(resource);
            return new Handle(() => { });
        }
        return new Handle(() =>
        {
            lock (_gate)
                _resources.Remove(resource);
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(BeginStopping);
        return Task.CompletedTask;
    }

    /// <summary>Refuses new calls from the moment the host begins to stop (before any service stops).</summary>
    private void BeginStopping()
    {
        int running;
        lock (_gate)
        {
            if (_stopping)
                return;
            _stopping = true;
            running = _inFlight;
        }
        log.LogInformation("Stopping: {Count} call(s) in flight; waiting up to {Seconds} s for them", running, settings.ShutdownTimeout.TotalSeconds);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStopping();
        Task idle;
        lock (_gate)
        {
            _idle = _inFlight == 0 ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle?.Task ?? Task.CompletedTask;
        }
        try
        {
            await idle.WaitAsync(settings.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            log.LogWarning("Stopping: {Count} call(s) still running after {Seconds} s are cancelled", InFlight, settings.ShutdownTimeout.TotalSeconds);
        }

        List<IAsyncDisposable> resources;
        lock (_gate)
        {
            _closed = true;
            resources = [.. _resources];
            _resources.Clear();
        }
        foreach (var resource in resources)
            await CloseAsync(resource).ConfigureAwait(false);
    }

    private async Task CloseAsync(IAsyncDisposable resource)
    {
        try
        {
            // Its own bound: the host's token may already be spent by the drain, and a channel must still be closed.
            await resource.DisposeAsync().AsTask().WaitAsync(ResourceCloseTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Stopping: closing {Resource} failed: {Message}", resource.GetType().Name, e.Message);
        }
    }

    private void EndCall()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            _inFlight--;
            if (_inFlight == 0)
                idle = _idle;
        }
        idle?.TrySetResult();
    }

    /// <summary>
    /// Counts calls for the coordinator and refuses new ones once the server is stopping. A call counts until its
    /// answer has been written (the incoming-message filter wraps the handler and the send of the response), so that
    /// stdio is not closed between the tool finishing and its result going out.
    /// </summary>
    internal static IMcpServerBuilder WithCallTracking(IMcpServerBuilder mcp) => mcp
        .WithMessageFilters(filters => filters.AddIncomingFilter(next => async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest { Method: RequestMethods.ToolsCall } || Of(context) is not { } coordinator)
            {
                await next(context, cancellationToken).ConfigureAwait(false);
                return;
            }
            using var call = coordinator.BeginCall();
            // Decided on arrival: a call received before the stop began runs to its end, a later one is refused.
            if (call is null)
                context.Items[RefusedKey] = true;
            await next(context, cancellationToken).ConfigureAwait(false);
        }))
        .WithRequestFilters(filters => filters.AddCallToolFilter(next => async (context, cancellationToken) =>
        {
            if (context.Items.TryGetValue(RefusedKey, out var refused) && refused is true)
                return ToolResult.Error(new ToolError("The server is shutting down and takes no new calls.", null, Hint: "Retry in a moment: the server (or another replica) will take the call once it is back."));
            return await next(context, cancellationToken).ConfigureAwait(false);
        }));

    private const string RefusedKey = "alpacon.refused-at-shutdown";

    private static ShutdownCoordinator? Of(MessageContext context) =>
        (context.Services ?? context.Server.Services)?.GetService<ShutdownCoordinator>();

    private sealed class Handle(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                release();
        }
    }
}
