using Alpacon.Conformance.Host;
using Alpacon.Mcp.Hosting;

// dotnet run --project tests/Alpacon.Conformance.Host -- --urls http://127.0.0.1:3001
// Serves the product's streamable HTTP transport (stateful, at /mcp) on the sandbox, with the fixtures added.
var urls = "http://127.0.0.1:3001";
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--urls")
        urls = args[i + 1];
}

await using var sandbox = await Sandbox.StartAsync();
var settings = new ServerSettings { Transport = "http", Sandbox = true, LogLevel = LogLevel.Warning };
await using var app = HttpServer.Build(settings, sandbox.Store, urls, Fixtures.Register);
await app.StartAsync();
Console.Error.WriteLine($"conformance host: serving {string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/mcp"))}");
await app.WaitForShutdownAsync();
