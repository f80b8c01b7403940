using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Alpacon.Emulator.Core;

/// <summary>One request the emulator received, as tests and the benchmark see it.</summary>
public sealed record JournalEntry(
    long Sequence,
    TimeSpan At,
    string Method,
    string Path,
    string QueryString,
    string? Authorization,
    string? UserAgent,
    string? ContentType,
    string? Body,
    long? ContentLength)
{
    public int Status { get; set; }

    public TimeSpan? CompletedAt { get; set; }

    public string? QueryValue(string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(QueryString).TryGetValue(name, out var v) ? v.ToString() : null;
}

/// <summary>Records every request (method, path, query, selected headers, JSON bodies) with a monotonic timestamp.</summary>
public sealed class RequestJournal
{
    private const int Capacity = 20_000;
    private const int MaxBody = 64 * 1024;
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _sequence;

    public IReadOnlyList<JournalEntry> Entries => [.. _entries];

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Clear() => _entries.Clear();

    /// <summary>Entries whose path matches, in arrival order.</summary>
    public IReadOnlyList<JournalEntry> Matching(string method, string pathPrefix) =>
        [.. _entries.Where(e => e.Method == method && e.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    internal async Task RecordAsync(HttpContext ctx, Func<Task> next)
    {
        // The emulator's own control requests (fault rules) are not API traffic.
        if (ctx.Request.Path.StartsWithSegments(Faults.FaultEndpoints.ControlPath))
        {
            await next();
            return;
        }
        var request = ctx.Request;
        string? body = null;
        if (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && request.ContentLength is null or <= MaxBody)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
            request.Body.Position = 0;
        }
        var entry = new JournalEntry(
            Interlocked.Increment(ref _sequence),
            _clock.Elapsed,
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null,
            request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            request.ContentType,
            body,
            request.ContentLength);
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _))
        {
        }
        try
        {
            await next();
        }
        finally
        {
            entry.Status = ctx.Response.StatusCode;
            entry.CompletedAt = _clock.Elapsed;
        }
    }
}
