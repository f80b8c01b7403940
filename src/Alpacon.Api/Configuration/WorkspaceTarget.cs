namespace Alpacon.Api.Configuration;

/// <summary>Where a token came from: the token file or an environment variable.</summary>
public enum TokenSource
{
    File,
    Environment,
    Sandbox,
}

/// <summary>One configured workspace: the base URL every request goes to and the token it carries.</summary>
/// <param name="Region">Region name, e.g. <c>ap1</c>.</param>
/// <param name="Workspace">Workspace name (its slug).</param>
/// <param name="BaseUrl">Absolute base URL without a trailing slash; pinned or <c>https://{workspace}.{region}.alpacon.io</c>.</param>
/// <param name="Token">The API token. Never log or return it: use <see cref="Secrets.Mask"/>.</param>
/// <param name="Source">Where the token came from.</param>
/// <param name="UrlPinned">True when the base URL was pinned by configuration rather than derived.</param>
public sealed record WorkspaceTarget(string Region, string Workspace, Uri BaseUrl, string Token, TokenSource Source, bool UrlPinned)
{
    public string MaskedToken => Secrets.Mask(Token);

    /// <summary>Never prints the token, so a target can be logged or formatted safely.</summary>
    public override string ToString() => $"{Region}/{Workspace} ({BaseUrl})";
}
