namespace Alpacon.Mcp.Tests.Infrastructure;

/// <summary>The repository the tests were built from (the folder holding AlpaconMcp.slnx).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlpaconMcp.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No AlpaconMcp.slnx above {AppContext.BaseDirectory}.");
    }
}
