using System.Text;
using Alpacon.Bench;
using Alpacon.Bench.Infrastructure;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"alpacon-bench: {e.Message}\n\n{BenchOptions.Usage}");
    return 2;
}
if (options.Help)
{
    Console.Out.Write(BenchOptions.Usage);
    return 0;
}
if (options.List)
{
    foreach (var s in ScenarioRegistry.All)
        Console.Out.WriteLine($"{s.Name,-20} {s.Description}");
    return 0;
}

var names = options.Scenarios.Count == 0 ? ["all"] : options.Scenarios;
var unknown = names.Where(n => n != "all" && ScenarioRegistry.All.All(s => s.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"alpacon-bench: unknown scenario(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ScenarioRegistry.All.Select(s => s.Name))}, all.");
    return 2;
}
var selected = names.Contains("all") ? ScenarioRegistry.All : [.. ScenarioRegistry.All.Where(s => names.Contains(s.Name))];

var repoRoot = RepoRoot.Find();
if (repoRoot is null)
{
    Console.Error.WriteLine("alpacon-bench: run me from the repository (AlpaconMcp.slnx not found above the current directory).");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();

try
{
    await using var context = new BenchContext(options, repoRoot);
    var facts = await MachineFacts.CollectAsync(repoRoot, context.Dotnet);
    Console.Error.WriteLine($"alpacon-bench: {string.Join(", ", selected.Select(s => s.Name))} on {facts.Cores} cores, load {facts.LoadAtStart}");
    await context.Builds.EnsureAsync(selected.SelectMany(s => s.Needs).Append(Artifact.Emulator), options.SkipBuild, cancel.Token);
    facts.At = DateTimeOffset.UtcNow;
    facts.ServerEnvironment = string.Join(", ", options.ServerEnvironment.Select(e => $"`{e.Key}={e.Value}`"));
    facts.LoadAtStart = MachineFacts.LoadAverage();

    var reports = new List<ScenarioReport>();
    foreach (var scenario in selected)
    {
        Console.Error.WriteLine($"scenario {scenario.Name}");
        var report = await scenario.RunAsync(context, cancel.Token);
        reports.Add(report);
        Console.Out.Write(Render(report, facts));
        Console.Out.WriteLine();
    }
    facts.LoadAtEnd = MachineFacts.LoadAverage();

    Console.Out.Write($"### Machine\n\n{facts.ToMarkdown()}\n");
    var targets = TargetsTable(reports);
    if (targets is not null)
        Console.Out.Write($"### Targets\n\n{targets}\n");
    if (options.Quick)
        Console.Out.WriteLine("(--quick: few samples; not for publishing)");

    if (options.WriteDocs)
    {
        var blocks = new List<(string, string)> { ("machine", facts.ToMarkdown()) };
        blocks.AddRange(reports.Select(r => (r.Name, Render(r, facts))));
        // The summary speaks for the whole set of scenarios; a partial run leaves it as it was.
        if (targets is not null && selected.Count == ScenarioRegistry.All.Count)
            blocks.Add(("targets", targets));
        var path = Path.Combine(repoRoot, "docs", "benchmarks.md");
        DocsFile.Update(path, blocks);
        Console.Error.WriteLine($"wrote {Path.GetRelativePath(repoRoot, path)}");
    }
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("alpacon-bench: cancelled");
    return 130;
}
catch (BenchException e)
{
    Console.Error.WriteLine($"alpacon-bench: {e.Message}");
    return 1;
}
finally
{
    ChildProcess.KillAll();
}

static string Render(ScenarioReport report, MachineFacts facts)
{
    var sb = new StringBuilder();
    sb.Append("#### ").Append(report.Title).Append("\n\n");
    sb.Append($"_Measured {facts.At:yyyy-MM-dd HH:mm} UTC, commit {facts.Commit}, {facts.Cores} cores, load average at start {facts.LoadAtStart}._\n\n");
    if (facts.ServerEnvironment.Length > 0)
        sb.Append($"_Servers ran with {facts.ServerEnvironment}._\n\n");
    if (report.Method.Length > 0)
        sb.Append(report.Method.Trim()).Append("\n\n");
    sb.Append(report.Table);
    if (report.Notes.Count > 0 || report.Targets.Count > 0)
        sb.Append('\n');
    foreach (var note in report.Notes)
        sb.Append("- ").Append(note).Append('\n');
    foreach (var t in report.Targets)
        sb.Append($"- Target {t.Target}: {t.Measured}, **{(t.Met ? "met" : "missed")}** ({t.Margin}).\n");
    return sb.ToString();
}

static string? TargetsTable(IReadOnlyList<ScenarioReport> reports)
{
    var checks = reports.SelectMany(r => r.Targets).ToList();
    if (checks.Count == 0)
        return null;
    var table = new MarkdownTable("target", "measured", "result") { TextColumns = 3 };
    foreach (var t in checks)
        table.Add(t.Target, t.Measured, $"**{(t.Met ? "met" : "missed")}**: {t.Margin}");
    return table.ToString();
}

/// <summary>Finds the repository: the first folder with AlpaconMcp.slnx above the current directory or this program.</summary>
internal static class RepoRoot
{
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AlpaconMcp.slnx")))
                    return dir.FullName;
            }
        }
        return null;
    }
}
