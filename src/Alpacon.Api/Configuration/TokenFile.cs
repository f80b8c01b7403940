using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alpacon.Api.Configuration;

/// <summary>One entry of a token file: <c>{"region": {"workspace": "token"}}</c> or <c>{"token": "...", "url": "..."}</c>.</summary>
public sealed record TokenEntry(string Region, string Workspace, string Token, string? Url);

/// <summary>Reads and rewrites <c>token.json</c> in both of the Python server's forms.</summary>
public static class TokenFile
{
    /// <summary>Parses a token file; a malformed one gives an error naming the file and the problem.</summary>
    public static IReadOnlyList<TokenEntry> Parse(string json, string path) => Entries(ParseRoot(json, path), path);

    /// <summary>Parses the file's JSON object (empty for an empty file) and checks every entry.</summary>
    public static JsonObject ParseRoot(string json, string path)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"Token file {path} is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}). Fix it or remove it and run 'alpacon-mcp setup'.", e);
        }
        if (root is not JsonObject regions)
            throw new ConfigurationException($"Token file {path} must hold a JSON object of regions, like {{\"ap1\": {{\"my-workspace\": \"alpat-...\"}}}}.");
        Entries(regions, path);
        return regions;
    }

    private static List<TokenEntry> Entries(JsonObject regions, string path)
    {
        var entries = new List<TokenEntry>();
        foreach (var (region, workspacesNode) in regions)
        {
            if (workspacesNode is not JsonObject workspaces)
                throw new ConfigurationException($"Token file {path}: region '{region}' must map workspace names to tokens, like {{\"my-workspace\": \"alpat-...\"}}.");
            foreach (var (workspace, value) in workspaces)
            {
                switch (value)
                {
                    case JsonValue v when v.TryGetValue<string>(out var token) && token.Length > 0:
                        entries.Add(new TokenEntry(region, workspace, token, null));
                        break;
                    case JsonObject o when o["token"] is JsonValue t && t.TryGetValue<string>(out var token) && token.Length > 0:
                        string? url = null;
                        if (o["url"] is JsonValue u && u.TryGetValue<string>(out var s) && s.Length > 0)
                            url = s;
                        else if (o["url"] is not null && o["url"] is not JsonValue)
                            throw new ConfigurationException($"Token file {path}: '{region}/{workspace}' has a 'url' that is not a string.");
                        entries.Add(new TokenEntry(region, workspace, token, url));
                        break;
                    default:
                        throw new ConfigurationException($"Token file {path}: '{region}/{workspace}' must be a token string or an object {{\"token\": \"...\", \"url\": \"https://...\"}}.");
                }
            }
        }
        return entries;
    }

    /// <summary>
    /// Sets one entry in a parsed file, keeping the string form unless a URL is pinned. A URL pinned before is kept
    /// when <paramref name="url"/> is null: a new token for a self-hosted workspace must not re-point it at the SaaS host.
    /// </summary>
    public static void SetEntry(JsonObject root, string region, string workspace, string token, string? url)
    {
        if (root[region] is not JsonObject workspaces)
        {
            workspaces = [];
            root[region] = workspaces;
        }
        url ??= (workspaces[workspace] as JsonObject)?["url"] is JsonValue pinned && pinned.TryGetValue(out string? kept) ? kept : null;
        workspaces[workspace] = url is null ? JsonValue.Create(token) : new JsonObject { ["token"] = token, ["url"] = url };
    }

    /// <summary>Removes one entry (and its region when it becomes empty). Returns false when it was absent.</summary>
    public static bool RemoveEntry(JsonObject root, string region, string workspace)
    {
        if (root[region] is not JsonObject workspaces || !workspaces.Remove(workspace))
            return false;
        if (workspaces.Count == 0)
            root.Remove(region);
        return true;
    }

    public static string Serialize(JsonObject root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            root.WriteTo(writer);
        buffer.WriteByte((byte)'\n');
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
