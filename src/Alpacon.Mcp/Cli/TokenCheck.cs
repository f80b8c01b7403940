using Alpacon.Api;
using Alpacon.Api.Auth;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Cli;

/// <summary>Checks tokens with <c>GET /api/status/</c> (200 for a valid token), for <c>setup</c> and <c>test</c>.</summary>
public sealed class TokenCheck : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly AuthClient _auth;

    public TokenCheck()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // One quick attempt: a person is waiting, and a failure is reported rather than retried.
        services.AddAlpaconApi(new AlpaconApiOptions { MaxRetries = 0, RequestTimeout = TimeSpan.FromSeconds(15) });
        _services = services.BuildServiceProvider();
        _auth = _services.GetRequiredService<AuthClient>();
    }

    /// <summary>Null when the token works; otherwise what went wrong and what to do.</summary>
    public async Task<ToolError?> CheckAsync(WorkspaceTarget target, CancellationToken cancellationToken)
    {
        try
        {
            await _auth.StatusAsync(target, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (AlpaconApiException e)
        {
            return ToolErrors.From(e, target);
        }
    }

    public void Dispose() => _services.Dispose();
}
