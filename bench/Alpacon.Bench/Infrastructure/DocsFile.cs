using System.Text;

namespace Alpacon.Bench.Infrastructure;

/// <summary>
/// <c>docs/benchmarks.md</c>: generated blocks live between <c>&lt;!-- bench:NAME --&gt;</c> and <c>&lt;!-- /bench:NAME --&gt;</c>;
/// everything else is prose and is kept as it is. A block the file does not have yet goes before <c>&lt;!-- bench:new-blocks --&gt;</c>,
/// or at the end.
/// </summary>
public static class DocsFile
{
    public const string NewBlocksAnchor = "<!-- bench:new-blocks -->";

    public static void Update(string path, IReadOnlyList<(string Name, string Content)> blocks)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n" + NewBlocksAnchor + "\n";
        foreach (var (name, content) in blocks)
            text = Replace(text, name, content);
        File.WriteAllText(path, text);
    }

    public static string Replace(string text, string name, string content)
    {
        var open = $"<!-- bench:{name} -->";
        var close = $"<!-- /bench:{name} -->";
        var block = new StringBuilder().Append(open).Append('\n').Append(content.TrimEnd('\n')).Append('\n').Append(close).ToString();
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf(close, start, StringComparison.Ordinal);
        if (start >= 0 && end > start)
            return string.Concat(text.AsSpan(0, start), block, text.AsSpan(end + close.Length));
        var anchor = text.IndexOf(NewBlocksAnchor, StringComparison.Ordinal);
        return anchor >= 0
            ? string.Concat(text.AsSpan(0, anchor), block, "\n\n", text.AsSpan(anchor))
            : text.TrimEnd('\n') + "\n\n" + block + "\n";
    }
}
