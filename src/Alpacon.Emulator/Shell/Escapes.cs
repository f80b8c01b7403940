using System.Globalization;
using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>Backslash escapes as <c>echo -e</c>, <c>printf</c> and <c>$'…'</c> read them.</summary>
internal static class Escapes
{
    /// <summary>
    /// Interprets <c>\n \t \\ \a \b \e \f \r \v \0NNN \xHH</c>. <paramref name="stop"/> is set at <c>\c</c>, after
    /// which echo and printf print nothing more.
    /// </summary>
    public static string Interpret(string text, out bool stop)
    {
        stop = false;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }
            var c = text[++i];
            switch (c)
            {
                case 'n': result.Append('\n'); break;
                case 't': result.Append('\t'); break;
                case 'r': result.Append('\r'); break;
                case 'a': result.Append('\a'); break;
                case 'b': result.Append('\b'); break;
                case 'e' or 'E': result.Append('\u001b'); break;
                case 'f': result.Append('\f'); break;
                case 'v': result.Append('\v'); break;
                case '\\': result.Append('\\'); break;
                case 'c':
                    stop = true;
                    return result.ToString();
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                    {
                        // echo -e and %b take \0NNN; printf's format takes \NNN. Both fit: a leading 0 may add a digit.
                        var start = c == '0' ? i + 1 : i;
                        var end = start;
                        while (end < text.Length && end - start < 3 && text[end] is >= '0' and <= '7')
                            end++;
                        result.Append(end == start ? '\0' : (char)Convert.ToInt32(text[start..end], 8));
                        i = end - 1;
                        break;
                    }
                case 'x':
                    {
                        var end = i + 1;
                        while (end < text.Length && end - i <= 2 && char.IsAsciiHexDigit(text[end]))
                            end++;
                        if (end == i + 1)
                            result.Append("\\x");
                        else
                            result.Append((char)int.Parse(text.AsSpan(i + 1, end - i - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i = end - 1;
                        break;
                    }
                default:
                    result.Append('\\').Append(c);
                    break;
            }
        }
        return result.ToString();
    }
}
