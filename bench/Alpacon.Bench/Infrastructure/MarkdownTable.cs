using System.Text;

namespace Alpacon.Bench.Infrastructure;

/// <summary>A Markdown table: the first <see cref="TextColumns"/> columns are left-aligned names, the rest right-aligned figures.</summary>
public sealed class MarkdownTable
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable(params string[] headers) => Headers = headers;

    public string[] Headers { get; }

    public int TextColumns { get; init; } = 1;

    public void Add(params string[] cells)
    {
        if (cells.Length != Headers.Length)
            throw new ArgumentException($"A row has {cells.Length} cells for {Headers.Length} columns.", nameof(cells));
        _rows.Add(cells);
    }

    public override string ToString()
    {
        if (Headers.Length == 0)
            return "";
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", Headers).Append(" |\n");
        sb.Append('|').AppendJoin('|', Headers.Select((_, i) => i < TextColumns ? "---" : "---:")).Append("|\n");
        foreach (var row in _rows)
            sb.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        return sb.ToString();
    }
}
