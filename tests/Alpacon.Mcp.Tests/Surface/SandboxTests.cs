using System.IO.Pipelines;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>--sandbox serves every tool family: generic over the catalogue, so families merged later are covered.</summary>
public sealed class SandboxTests
{
    /// <summary>Arguments the sandbox can always satisfy; tools that need others are exercised by their own tests.</summary>
    private static readonly Dictionary<string, object?> Known = new()
    {
        ["server_id"] = Seed.ServerId("web-01"),
        ["user_id"] = Seed.UserId("jane"),
    };

    [Fact]
    public async Task Sandbox_EveryReadOnlyToolWithKnownArguments_Succeeds()
    {
        await using var sandbox = await Sandbox.StartAsync();
        var settings = new ServerSettings { Sandbox = true, LogLevel = LogLevel.Warning };
        Pipe toServer = new(), toClient = new();
        using var host = StdioServer.Build(settings, sandbox.Store, toServer.Reader.AsStream(), toClient.Writer.AsStream());
        await host.StartAsync();
        try
        {
            await using var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));
            var tried = new List<string>();
            foreach (var tool in ToolCatalog.Create(settings).All.Where(t => t.ReadOnly))
            {
                if (!tool.Parameters.Where(p => p.Required).All(p => Known.ContainsKey(p.Name)))
                    continue;
                var arguments = tool.Parameters.Where(p => Known.ContainsKey(p.Name)).ToDictionary(p => p.Name, p => Known[p.Name]);
                var result = await client.CallToolAsync(tool.Name, arguments);
                var text = ((TextContentBlock)result.Content[0]).Text;
                Assert.False(result.IsError == true, $"{tool.Name} failed on the sandbox: {text}");
                tried.Add(tool.Name);
            }
            Assert.Contains("servers_list", tried);
            Assert.Contains("iam_user_permissions_get", tried);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
