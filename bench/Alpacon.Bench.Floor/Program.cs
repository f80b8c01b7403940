// The floor of the cold-start benchmark: start the runtime, read one request line, answer one line, exit on EOF.
// No host, no dependency injection, no JSON: whatever the server takes beyond this is its own start-up cost.
if (Console.ReadLine() is null)
    return;
Console.Out.Write("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n");
Console.Out.Flush();
while (Console.ReadLine() is not null)
{
}
