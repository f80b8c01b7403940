using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Conformance.Host;

/// <summary>The prompts the conformance scenarios get: plain, with arguments, with an embedded resource, with an image.</summary>
[McpServerPromptType]
public sealed class FixturePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt"), Description("A prompt without arguments.")]
    public static string Simple() => "This is a simple prompt for testing.";

    [McpServerPrompt(Name = "test_prompt_with_arguments"), Description("A prompt with two arguments.")]
    public static string WithArguments([Description("First test argument")] string arg1, [Description("Second test argument")] string arg2) =>
        $"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'";

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource"), Description("A prompt that embeds a resource.")]
    public static IEnumerable<PromptMessage> WithEmbeddedResource([Description("URI of the resource to embed")] string resourceUri) =>
    [
        new PromptMessage
        {
            Role = Role.User,
            Content = new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = resourceUri, MimeType = "text/plain", Text = "Embedded resource content for testing." } },
        },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please process the embedded resource above." } },
    ];

    [McpServerPrompt(Name = "test_prompt_with_image"), Description("A prompt that carries an image.")]
    public static IEnumerable<PromptMessage> WithImage() =>
    [
        new PromptMessage { Role = Role.User, Content = new ImageContentBlock { Data = Fixtures.Base64Bytes(Fixtures.Png), MimeType = "image/png" } },
        new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = "Please analyze the image above." } },
    ];
}
