using System.Text.Json;
using Alpacon.Mcp.Cli;
using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary><c>call</c>'s key=value words are typed from the tool's input schema.</summary>
public sealed class ToolArgumentsTests
{
    private static readonly ToolCatalog Catalog = ToolCatalog.Create(new ServerSettings());

    private static Dictionary<string, JsonElement> Parse(string tool, params string[] words) => ToolArguments.Parse(Catalog.Find(tool)!, words);

    [Fact]
    public void Words_AreTypedFromTheSchema()
    {
        var a = Parse("iam_users_list", "page=2", "page_size=50", "workspace=acme");
        Assert.Equal(JsonValueKind.Number, a["page"].ValueKind);
        Assert.Equal(50, a["page_size"].GetInt32());
        Assert.Equal("acme", a["workspace"].GetString());

        Assert.Equal(JsonValueKind.False, Parse("auth_set_token", "region=ap1", "workspace=w", "token=t", "verify=no")["verify"].ValueKind);
        Assert.Equal(JsonValueKind.Null, Parse("servers_list", "workspace=null")["workspace"].ValueKind);
        // A string parameter keeps numbers and words as text.
        Assert.Equal("007", Parse("servers_list", "workspace=007")["workspace"].GetString());
    }

    [Fact]
    public void Arrays_FromACommaListOrJson_AndObjectsFromJson()
    {
        var comma = Parse("iam_group_create", "name=ops", "servers=a,b , c");
        Assert.Equal(["a", "b", "c"], comma["servers"].EnumerateArray().Select(e => e.GetString()));
        var json = Parse("iam_group_create", "name=ops", """servers=["x,y"]""");
        Assert.Equal(["x,y"], json["servers"].EnumerateArray().Select(e => e.GetString()));
        var settings = Parse("user_settings_update", """settings={"timezone":"Asia/Seoul","n":1}""");
        Assert.Equal("Asia/Seoul", settings["settings"].GetProperty("timezone").GetString());
    }

    [Fact]
    public void OneJsonObject_IsTheWholeArgumentSet()
    {
        var a = Parse("iam_users_list", """{"page": 3, "workspace": "acme"}""");
        Assert.Equal(3, a["page"].GetInt32());
        Assert.Equal("acme", a["workspace"].GetString());
    }

    [Theory]
    [InlineData("iam_users_list", "page=two", "'page' must be an integer")]
    [InlineData("auth_set_token", "verify=maybe", "'verify' must be true or false")]
    [InlineData("servers_list", "colour=blue", "servers_list has no parameter 'colour'; it takes region, workspace")]
    [InlineData("servers_list", "region", "'region' is not key=value")]
    [InlineData("server_get", "region=ap1", "server_get needs server_id")]
    [InlineData("user_settings_update", "settings=[1]", "'settings' must be a JSON object")]
    [InlineData("servers_list", "{\"region\": ", "not valid JSON")]
    public void Mistakes_AreUsageErrorsThatSayWhatIsWrong(string tool, string word, string message)
    {
        var e = Assert.Throws<UsageException>(() => Parse(tool, word));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ARepeatedKey_IsAMistake() =>
        Assert.Contains("given twice", Assert.Throws<UsageException>(() => Parse("servers_list", "region=ap1", "region=us1")).Message);
}
