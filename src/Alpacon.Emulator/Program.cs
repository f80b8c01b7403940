using Alpacon.Emulator;
using Alpacon.Emulator.Core;

// Standalone: dotnet run --project src/Alpacon.Emulator -- --urls http://127.0.0.1:PORT
var urls = "http://127.0.0.1:8238";
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--urls")
        urls = args[i + 1];
}
await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Urls = urls, LogToConsole = true });
Console.Error.WriteLine($"Alpacon emulator listening on {emulator.BaseUrl}");
Console.Error.WriteLine($"Admin token: {Seed.AdminToken}");
await emulator.WaitForShutdownAsync();
