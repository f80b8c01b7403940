using System.Text;

namespace Alpacon.Api.Http;

/// <summary>A query string built from optional parameters; null values are left out.</summary>
public sealed class Query
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public Query Add(string name, string? value)
    {
        if (value is not null)
            _pairs.Add(new(name, value));
        return this;
    }

    public Query Add(string name, int? value) => Add(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Query Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public Query With(string name, string? value) => Clone().Add(name, value);

    public Query With(string name, int? value) => Clone().Add(name, value);

    public Query Clone()
    {
        var copy = new Query();
        copy._pairs.AddRange(_pairs);
        return copy;
    }

    public override string ToString()
    {
        if (_pairs.Count == 0)
            return "";
        var sb = new StringBuilder("?");
        foreach (var (k, v) in _pairs)
        {
            if (sb.Length > 1)
                sb.Append('&');
            sb.Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(v));
        }
        return sb.ToString();
    }
}
