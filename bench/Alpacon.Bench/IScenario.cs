using Alpacon.Bench.Infrastructure;
using Alpacon.Bench.Scenarios;

namespace Alpacon.Bench;

/// <summary>
/// One benchmark scenario. To add one (metrics fan-out, command completion, Websh execute, WebFTP throughput...):
/// write a class in <c>Scenarios/</c> that implements this interface, measures its case next to a baseline taken
/// in the same run, and add one line to <see cref="ScenarioRegistry.All"/>.
/// </summary>
public interface IScenario
{
    /// <summary>The name used on the command line and in the markers of <c>docs/benchmarks.md</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>--list</c>.</summary>
    string Description { get; }

    /// <summary>The builds the scenario runs; they are built (or checked, with <c>--skip-build</c>) before any scenario starts.</summary>
    IReadOnlyList<Artifact> Needs { get; }

    Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken);
}

/// <summary>The registry of scenarios, in the order <c>all</c> runs them. Register only scenarios that work.</summary>
public static class ScenarioRegistry
{
    public static readonly IReadOnlyList<IScenario> All =
    [
        new ColdStartScenario(),
        new ServersListScenario(),
        new ThroughputScenario(),
        new AllocationsScenario(),
        new MetricsSummaryScenario(),
        new CommandCompletionScenario(),
        new WebshExecuteScenario(),
        new WebftpThroughputScenario(),
    ];
}

/// <summary>What a scenario measured: a table, how it was measured, and the targets it checks.</summary>
public sealed class ScenarioReport(string name, string title)
{
    public string Name { get; } = name;

    public string Title { get; } = title;

    /// <summary>How the figures were taken (one paragraph, Markdown).</summary>
    public string Method { get; set; } = "";

    public MarkdownTable Table { get; set; } = new();

    /// <summary>Extra lines under the table (Markdown bullet items, without the dash).</summary>
    public List<string> Notes { get; } = [];

    public List<TargetCheck> Targets { get; } = [];
}

/// <summary>A target of the performance issue, and what this run measured against it.</summary>
/// <param name="Target">The target as the issue states it.</param>
/// <param name="Measured">The measured figure, with its unit.</param>
/// <param name="Met">Whether the figure meets the target.</param>
/// <param name="Margin">By how much it is met or missed, e.g. "12 ms under" or "missed by 18 %".</param>
public sealed record TargetCheck(string Target, string Measured, bool Met, string Margin);
