using System.Text.Json;
using Alpacon.Emulator.Core;
using Alpacon.Mcp.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

/// <summary>iam_user_delete asks the human to confirm through MCP elicitation when the client can.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class IamUserDeleteTests(EmulatorFixture emulator)
{
    private RequestJournal Journal => emulator.Emulator.Journal;

    /// <summary>A client that answers every elicitation with <paramref name="answer"/> and records the questions.</summary>
    private static McpClientHandlers Answering(List<ElicitRequestParams> asked, Func<ElicitResult> answer) => new()
    {
        ElicitationHandler = (request, _) =>
        {
            lock (asked)
                asked.Add(request!);
            return ValueTask.FromResult(answer());
        },
    };

    private static ElicitResult Accept(bool ticked) =>
        new() { Action = "accept", Content = new Dictionary<string, JsonElement> { ["confirm"] = JsonElement.Parse(ticked ? "true" : "false") } };

    private async Task<(string Id, string Username)> CreateUserAsync()
    {
        var username = "del" + Guid.NewGuid().ToString("N")[..10];
        await using var c = await ConnectAsync(emulator);
        var body = Success(await c.CallAsync("iam_user_create", new() { ["username"] = username, ["email"] = $"{username}@example.com" }));
        return ((string)body["data"]!["user"]!["id"]!, username);
    }

    private bool Deleted(TimeSpan before, string id) =>
        Journal.Entries.Any(e => e.At >= before && e.Method == "DELETE" && e.Path == $"/api/iam/users/{id}/" && e.Status == 204);

    [Theory]
    [InlineData(HostProtocol)]
    [InlineData(null)] // the SDK client's default, 2026-07-28 (multi round-trip requests)
    public async Task IamUserDelete_Accepted_DeletesAfterNamingTheUser(string? protocol)
    {
        var (id, username) = await CreateUserAsync();
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: protocol, handlers: Answering(asked, () => Accept(true)));
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }))["data"]!;

        var question = Assert.Single(asked);
        Assert.Contains(username, question.Message);
        Assert.Contains($"{username}@example.com", question.Message);
        Assert.Contains("cannot be undone", question.Message);
        Assert.IsType<ElicitRequestParams.BooleanSchema>(question.RequestedSchema!.Properties["confirm"]);
        Assert.True((bool)data["deleted"]!);
        Assert.Equal("confirmed", (string?)data["confirmation"]!["outcome"]);
        Assert.Equal(username, (string?)data["user"]!["username"]);
        Assert.True(Deleted(before, id));
        // The tool ran once: the question suspended it rather than re-running it from the start.
        Assert.Single(Journal.Entries, e => e.At >= before && e.Method == "GET" && e.Path == $"/api/iam/users/{id}/");
        Assert.Equal(404, (int?)Error(await c.CallAsync("iam_user_get", new() { ["user_id"] = id }))["status_code"]);
    }

    [Theory]
    [InlineData("decline", HostProtocol)]
    [InlineData("cancel", HostProtocol)]
    [InlineData("decline", null)]
    [InlineData("accept-unticked", HostProtocol)]
    public async Task IamUserDelete_NotConfirmed_DeletesNothing(string action, string? protocol)
    {
        var (id, username) = await CreateUserAsync();
        var asked = new List<ElicitRequestParams>();
        var answer = action == "accept-unticked" ? Accept(false) : new ElicitResult { Action = action };
        await using var c = await ConnectAsync(emulator, protocolVersion: protocol, handlers: Answering(asked, () => answer));
        var before = Journal.Elapsed;
        var result = await c.CallAsync("iam_user_delete", new() { ["user_id"] = id });

        // Declining is the user's decision, not a failure of the tool.
        var data = Success(result)["data"]!;
        Assert.Single(asked);
        Assert.False((bool)data["deleted"]!);
        Assert.Equal(action == "cancel" ? "cancelled" : "declined", (string?)data["confirmation"]!["outcome"]);
        Assert.StartsWith("Nothing was deleted", (string?)data["message"]);
        Assert.DoesNotContain(Journal.Entries, e => e.At >= before && e.Method == "DELETE");
        Assert.Equal(username, (string?)Success(await c.CallAsync("iam_user_get", new() { ["user_id"] = id }))["data"]!["username"]);
    }

    [Fact]
    public async Task IamUserDelete_ClientWithoutElicitation_DeletesAndSaysItDidNotAsk()
    {
        var (id, _) = await CreateUserAsync();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol);
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }))["data"]!;

        Assert.True((bool)data["deleted"]!);
        Assert.False((bool)data["confirmation"]!["asked"]!);
        Assert.Equal("not_asked", (string?)data["confirmation"]!["outcome"]);
        Assert.True(Deleted(before, id));
    }

    [Fact]
    public async Task IamUserDelete_OverStatefulHttp_AsksAndDeletes()
    {
        var (id, username) = await CreateUserAsync();
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, Transport.Http, protocolVersion: HostProtocol, handlers: Answering(asked, () => Accept(true)));
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }))["data"]!;

        Assert.Contains(username, Assert.Single(asked).Message);
        Assert.True((bool)data["deleted"]!);
        Assert.True(Deleted(before, id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(HostProtocol)]
    public async Task IamUserDelete_OverStatelessHttp_CannotAsk_AndSaysSo(string? protocol)
    {
        var (id, _) = await CreateUserAsync();
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, Transport.Http, protocolVersion: protocol, extraArgs: ["--stateless"], handlers: Answering(asked, () => Accept(true)));
        var before = Journal.Elapsed;
        var data = Success(await c.CallAsync("iam_user_delete", new() { ["user_id"] = id }))["data"]!;

        Assert.Empty(asked);
        Assert.Equal("not_asked", (string?)data["confirmation"]!["outcome"]);
        Assert.True((bool)data["deleted"]!);
        Assert.True(Deleted(before, id));
    }

    [Fact]
    public async Task IamUserDelete_UnknownUser_Is404WithoutAsking()
    {
        var asked = new List<ElicitRequestParams>();
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol, handlers: Answering(asked, () => Accept(true)));
        var body = Error(await c.CallAsync("iam_user_delete", new() { ["user_id"] = "00000000-0000-4000-8000-000000000000" }));

        Assert.Equal(404, (int?)body["status_code"]);
        Assert.Empty(asked);
    }

    [Fact]
    public async Task IamUserDelete_OwnAccount_IsRefusedByTheApi()
    {
        await using var c = await ConnectAsync(emulator, protocolVersion: HostProtocol);
        var body = Error(await c.CallAsync("iam_user_delete", new() { ["user_id"] = Seed.UserId("jane") }));
        Assert.Equal(400, (int?)body["status_code"]);
        Assert.Contains("own account", (string?)body["message"]);
    }
}
