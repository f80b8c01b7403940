using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Conformance.Host;

/// <summary>The resources the conformance scenarios read: static text and binary, a template, a watched one.</summary>
[McpServerResourceType]
public sealed class FixtureResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "static_text", MimeType = "text/plain"), Description("A static text resource.")]
    public static string StaticText() => "This is the content of the static text resource.";

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static_binary", MimeType = "image/png"), Description("A static binary resource (PNG).")]
    public static BlobResourceContents StaticBinary() => new() { Uri = "test://static-binary", MimeType = "image/png", Blob = Fixtures.Base64Bytes(Fixtures.Png) };

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template_data", MimeType = "application/json"), Description("A resource template with one parameter.")]
    public static TextResourceContents Template(string id) => new()
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString(),
    };

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "watched_resource", MimeType = "text/plain"), Description("A resource clients may subscribe to.")]
    public static string Watched() => "Watched resource content";
}
