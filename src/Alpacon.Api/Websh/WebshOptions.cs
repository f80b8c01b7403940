namespace Alpacon.Api.Websh;

/// <summary>Timeouts of Websh channels.</summary>
public sealed class WebshOptions
{
    /// <summary>Time allowed for the WebSocket handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a WebSocket ping is sent on an open channel.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A channel whose ping is not answered within this time is aborted and reported dead.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A pooled channel unused for this long is closed (the session stays open on the server).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The most characters kept of one command's output while it runs; beyond it the middle is dropped.</summary>
    public int MaxCaptureChars { get; set; } = 4 << 20;
}
