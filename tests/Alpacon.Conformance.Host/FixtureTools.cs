using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace Alpacon.Conformance.Host;

/// <summary>The tools the conformance scenarios call by name, each answering as its scenario checks.</summary>
[McpServerToolType]
public sealed class FixtureTools
{
    [McpServerTool(Name = "test_simple_text"), Description("Answers with one text block.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content"), Description("Answers with a PNG image block.")]
    public static ImageContentBlock ImageContent() => new() { Data = Fixtures.Base64Bytes(Fixtures.Png), MimeType = "image/png" };

    [McpServerTool(Name = "test_audio_content"), Description("Answers with a WAV audio block.")]
    public static AudioContentBlock AudioContent() => new() { Data = Fixtures.Base64Bytes(Fixtures.Wav), MimeType = "audio/wav" };

    [McpServerTool(Name = "test_embedded_resource"), Description("Answers with an embedded text resource.")]
    public static EmbeddedResourceBlock EmbeddedResource() => new()
    {
        Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." },
    };

    [McpServerTool(Name = "test_multiple_content_types"), Description("Answers with text, an image and an embedded JSON resource.")]
    public static IEnumerable<ContentBlock> MultipleContentTypes() =>
    [
        new TextContentBlock { Text = "Multiple content types test:" },
        new ImageContentBlock { Data = Fixtures.Base64Bytes(Fixtures.Png), MimeType = "image/png" },
        new EmbeddedResourceBlock
        {
            Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" },
        },
    ];

    [McpServerTool(Name = "test_tool_with_logging"), Description("Sends three log notifications while it runs.")]
    public static async Task<string> ToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        var log = server.AsClientLoggerProvider().CreateLogger("conformance-fixtures");
        log.LogInformation("Tool execution started");
        await Task.Delay(50, cancellationToken);
        log.LogInformation("Tool processing data");
        await Task.Delay(50, cancellationToken);
        log.LogInformation("Tool execution completed");
        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_tool_with_progress"), Description("Reports progress 0, 50 and 100 of 100 when given a progress token.")]
    public static async Task<string> ToolWithProgress(McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Params?.ProgressToken is not { } token)
            return "No progress token provided";
        foreach (var step in new[] { 0, 50, 100 })
        {
            await server.NotifyProgressAsync(token, new ModelContextProtocol.ProgressNotificationValue { Progress = step, Total = 100 }, cancellationToken: cancellationToken);
            if (step < 100)
                await Task.Delay(50, cancellationToken);
        }
        return token.ToString() ?? "progress reported";
    }

    [McpServerTool(Name = "test_error_handling"), Description("Always answers with an error result.")]
    public static CallToolResult ErrorHandling() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }],
    };

    [McpServerTool(Name = "test_sampling"), Description("Asks the client to sample a completion for the prompt.")]
    public static async Task<string> Sampling(McpServer server, [Description("The prompt to send to the model")] string prompt, CancellationToken cancellationToken)
    {
        var result = await server.SampleAsync(new CreateMessageRequestParams
        {
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 100,
        }, cancellationToken);
        return "LLM response: " + string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
    }

    [McpServerTool(Name = "test_elicitation"), Description("Asks the user for a username and an email address.")]
    public static Task<string> Elicitation(McpServer server, [Description("The message shown to the user")] string message, CancellationToken cancellationToken) =>
        ElicitAsync(server, message, new()
        {
            ["username"] = new StringSchema { Description = "User's response" },
            ["email"] = new StringSchema { Description = "User's email address" },
        }, ["username", "email"], cancellationToken);

    [McpServerTool(Name = "test_elicitation_sep1034_defaults"), Description("Elicitation whose fields carry default values (SEP-1034).")]
    public static Task<string> ElicitationDefaults(McpServer server, CancellationToken cancellationToken) =>
        ElicitAsync(server, "Test elicitation with default values for primitive types", new()
        {
            ["name"] = new StringSchema { Description = "User name", Default = "John Doe" },
            ["age"] = new NumberSchema { Type = "integer", Description = "User age", Default = 30 },
            ["score"] = new NumberSchema { Description = "User score", Default = 95.5 },
            ["status"] = new UntitledSingleSelectEnumSchema { Description = "User status", Enum = ["active", "inactive", "pending"], Default = "active" },
            ["verified"] = new BooleanSchema { Description = "Verification status", Default = true },
        }, null, cancellationToken);

    [McpServerTool(Name = "test_elicitation_sep1330_enums"), Description("Elicitation with every enum shape (SEP-1330).")]
    public static Task<string> ElicitationEnums(McpServer server, CancellationToken cancellationToken) =>
        ElicitAsync(server, "Test elicitation with enum schema variants", new()
        {
            ["untitledSingle"] = new UntitledSingleSelectEnumSchema { Description = "Untitled single select", Enum = ["option1", "option2", "option3"] },
            ["titledSingle"] = new TitledSingleSelectEnumSchema
            {
                Description = "Titled single select",
                OneOf = [new() { Const = "value1", Title = "First Option" }, new() { Const = "value2", Title = "Second Option" }, new() { Const = "value3", Title = "Third Option" }],
            },
            ["legacyEnum"] = new LegacyTitledEnumSchema { Description = "Legacy titled enum", Enum = ["opt1", "opt2", "opt3"], EnumNames = ["Option One", "Option Two", "Option Three"] },
            ["untitledMulti"] = new UntitledMultiSelectEnumSchema { Description = "Untitled multi select", Items = new UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] } },
            ["titledMulti"] = new TitledMultiSelectEnumSchema
            {
                Description = "Titled multi select",
                Items = new TitledEnumItemsSchema
                {
                    AnyOf = [new() { Const = "value1", Title = "First Choice" }, new() { Const = "value2", Title = "Second Choice" }, new() { Const = "value3", Title = "Third Choice" }],
                },
            },
        }, null, cancellationToken);

    /// <summary>Sends elicitation/create with these fields and reports the user's action.</summary>
    private static async Task<string> ElicitAsync(McpServer server, string message, Dictionary<string, PrimitiveSchemaDefinition> fields, string[]? required, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema { Required = required };
        foreach (var (name, field) in fields)
            schema.Properties[name] = field;
        var result = await server.ElicitAsync(new ElicitRequestParams { Message = message, RequestedSchema = schema }, cancellationToken);
        return $"Elicitation completed: action={result.Action}";
    }
}
