namespace Alpacon.Api.Configuration;

/// <summary>Masking of credentials for anything a person or a model may read.</summary>
public static class Secrets
{
    /// <summary>Keeps a recognisable prefix (<c>alpat-</c>) and the last four characters: <c>alpat-…abcd</c>.</summary>
    public static string Mask(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return "";
        if (token.Length <= 12)
            return "…" + (token.Length > 4 ? token[^2..] : "");
        var dash = token.IndexOf('-', StringComparison.Ordinal);
        var prefix = dash is > 0 and <= 6 ? token[..(dash + 1)] : "";
        return prefix + "…" + token[^4..];
    }
}
