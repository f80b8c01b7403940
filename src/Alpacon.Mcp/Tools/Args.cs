using Alpacon.Api.Configuration;

namespace Alpacon.Mcp.Tools;

/// <summary>Argument checks shared by every tool, run before any request is sent.</summary>
public static class Args
{
    public const string RegionDescription = "Region of the workspace: ap1 (default), us1, eu1, or a region configured with a pinned URL.";
    public const string WorkspaceDescription = "Workspace name (the slug in https://<workspace>.<region>.alpacon.io). May be omitted when exactly one workspace is configured in the region.";
    public const string ServerIdDescription = "Server UUID, as returned by servers_list.";

    /// <summary>A UUID in its canonical form (lower case, with dashes); anything else is refused with the parameter's name.</summary>
    public static string Uuid(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ToolInputException($"'{name}' is required.", HintFor(name));
        var trimmed = value.Trim();
        if (!Guid.TryParseExact(trimmed, "D", out var guid))
            throw new ToolInputException($"'{name}' must be a UUID like 0e617a7e-4126-521f-af4a-960418890596; got '{Shorten(trimmed)}'.", HintFor(name));
        return guid.ToString();
    }

    /// <summary>
    /// An optional UUID: null (or the argument left out) means absent. An empty string given explicitly is refused
    /// like any other malformed id rather than read as "no filter", which would silently widen what the call covers.
    /// </summary>
    public static string? OptionalUuid(string? value, string name)
    {
        if (value is null)
            return null;
        if (string.IsNullOrWhiteSpace(value))
            throw new ToolInputException($"'{name}' is empty; give a UUID, or leave the argument out.", HintFor(name));
        return Uuid(value, name);
    }

    /// <summary>The most characters of a Linux account or group name (useradd's limit).</summary>
    public const int MaxAccountNameLength = 32;

    /// <summary>
    /// A Linux account or group name, checked before any request: letters, digits, '.', '_' and '-', not starting
    /// with '-', optionally ending in '$' (machine accounts), not all digits (it would read as an id), at most
    /// <see cref="MaxAccountNameLength"/> characters; the rules of shadow-utils' useradd and groupadd.
    /// </summary>
    public static string AccountName(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ToolInputException($"'{name}' is required and may not be blank.");
        var trimmed = value.Trim();
        var body = trimmed.EndsWith('$') ? trimmed[..^1] : trimmed;
        var valid = trimmed.Length <= MaxAccountNameLength && body.Length > 0 && body[0] != '-' && body is not ("." or "..")
            && body.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && !body.All(char.IsAsciiDigit);
        if (!valid)
        {
            throw new ToolInputException(
                $"'{name}' must be a Linux account name: letters, digits, '.', '_' or '-', not starting with '-', at most {MaxAccountNameLength} characters; got '{Shorten(trimmed)}' ({trimmed.Length} characters).",
                $"Give an account that exists on the server, e.g. root or the user's own login name, or leave '{name}' out for the default.");
        }
        return trimmed;
    }

    /// <summary>An optional <see cref="AccountName"/>: blank means absent (the default account or group).</summary>
    public static string? OptionalAccountName(string? value, string name) => string.IsNullOrWhiteSpace(value) ? null : AccountName(value, name);

    /// <summary>An optional text argument: blank means absent; otherwise trimmed.</summary>
    public static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string Required(string? value, string name, int maxLength = 4096)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ToolInputException($"'{name}' is required and may not be blank.");
        if (value.Length > maxLength)
            throw new ToolInputException($"'{name}' is {value.Length} characters long; the limit is {maxLength}.");
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ToolInputException($"'{name}' contains a NUL character.");
        return value;
    }

    /// <summary>
    /// Optional free text sent as it is (blank included, e.g. to clear a name): null means absent; longer than
    /// <paramref name="maxLength"/> or holding a NUL is refused before any request, so that a field the API bounds
    /// is not sent (and echoed back) at any size.
    /// </summary>
    public static string? OptionalText(string? value, string name, int maxLength = 4096)
    {
        if (value is null)
            return null;
        if (value.Length > maxLength)
            throw new ToolInputException($"'{name}' is {value.Length} characters long; the limit is {maxLength}.");
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ToolInputException($"'{name}' contains a NUL character.");
        return value;
    }

    public static string Region(string? region)
    {
        var r = string.IsNullOrWhiteSpace(region) ? Regions.Default : region.Trim().ToLowerInvariant();
        if (!Regions.IsValidRegion(r))
            throw new ToolInputException($"'{Shorten(region!)}' is not a region name.", $"Use one of {string.Join(", ", Regions.Known)}, or a region configured with a pinned URL.");
        return r;
    }

    public static string? Workspace(string? workspace)
    {
        if (string.IsNullOrWhiteSpace(workspace))
            return null;
        var w = workspace.Trim().ToLowerInvariant();
        if (!Regions.IsValidWorkspace(w))
            throw new ToolInputException($"'{Shorten(workspace)}' is not a workspace name.", "Use the lower-case slug from the workspace URL (https://<workspace>.<region>.alpacon.io); workspace_list shows the configured ones.");
        return w;
    }

    public static int Range(int value, string name, int min, int max)
    {
        if (value < min || value > max)
            throw new ToolInputException($"'{name}' must be between {min} and {max}; got {value}.");
        return value;
    }

    /// <summary>A value quoted in a message: at most 60 characters, control and bidi characters escaped.</summary>
    public static string Shorten(string value) => Printable(value.Length <= 60 ? value : value[..60] + "…");

    /// <summary>
    /// Text shown to the model as a message or hint, whatever it quotes (an API's answer, a path, a value the model
    /// sent): control and bidi characters escaped (line breaks kept) and at most <paramref name="maxLength"/>
    /// characters, so that no message garbles the model's view, spoofs its reading direction or echoes megabytes.
    /// </summary>
    public static string Shown(string text, int maxLength) => Printable(Cut(text, maxLength), keepLineBreaks: true);

    /// <summary>At most <paramref name="maxLength"/> characters of <paramref name="text"/>, saying how long it was when cut.</summary>
    public static string Cut(string text, int maxLength)
    {
        if (text.Length <= maxLength)
            return text;
        var end = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength; // never half a character
        return string.Concat(text.AsSpan(0, end), $"… ({text.Length} characters, cut)");
    }

    /// <summary>Control and bidirectional-override characters shown as \uXXXX, so a quoted value cannot garble or spoof a message.</summary>
    public static string Printable(string text, bool keepLineBreaks = false)
    {
        bool Escaped(char c) => (char.IsControl(c) && !(keepLineBreaks && c == '\n')) || IsBidi(c);
        if (!text.Any(Escaped))
            return text;
        var sb = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (Escaped(c))
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsBidi(char c) => c is (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u200e' or '\u200f' or '\u061c';

    private static string? HintFor(string name) => name switch
    {
        "server_id" => "Call servers_list to find the server's id.",
        _ => null,
    };
}
