using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Cli;

/// <summary>A parsed command line: the subcommand (null = serve), its positional words, and the server settings.</summary>
public sealed record CommandLine(string? Command, IReadOnlyList<string> Positionals, ServerSettings Settings, bool Help, bool Version, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Parses <c>--name value</c> and <c>--name=value</c> options; throws <see cref="UsageException"/> on a mistake.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var settings = new ServerSettings { Environment = environment };
        settings.Toolsets = environment.GetValueOrDefault("ALPACON_MCP_TOOLSETS");
        settings.HttpAuthToken = environment.GetValueOrDefault(HttpServer.AuthTokenVariable);
        if (environment.GetValueOrDefault("ALPACON_MCP_REQUEST_TIMEOUT") is { Length: > 0 } timeout)
            settings.Api.RequestTimeout = Seconds(timeout, "ALPACON_MCP_REQUEST_TIMEOUT");
        settings.ReadOnly = environment.GetValueOrDefault(ReadOnlyVariable) is { } ro && IsTrue(ro);
        if (environment.GetValueOrDefault(ConfirmVariable) is { Length: > 0 } confirm)
            settings.ConfirmDestructive = ParseConfirm(confirm, ConfirmVariable);
        string? command = null;
        var positionals = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        bool help = false, version = false, rest = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (rest || arg == "--")
            {
                // After "--" every word is positional: tool arguments may look like options.
                if (rest)
                    Positional(arg);
                rest = true;
                continue;
            }
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 2 and var eq)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null)
                    return inline;
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"{arg} needs a value.");
                return args[++i];
            }
            switch (arg)
            {
                case "-h" or "--help": help = true; break;
                case "-V" or "--version": version = true; break;
                case "--sandbox": settings.Sandbox = true; break;
                case "--local": settings.PreferLocal = true; break;
                case "--stateless": settings.Stateless = true; break;
                case "--config-file" or "--token-file": settings.ConfigFile = Value(); break;
                case "--toolsets": settings.Toolsets = Value(); break;
                case "--read-only": settings.ReadOnly = true; break;
                case "--confirm-destructive": settings.ConfirmDestructive = ParseConfirm(Value(), arg); break;
                case "--log-file": settings.LogFile = Value(); break;
                case "--markdown": options["markdown"] = "true"; break;
                case "--transport":
                    settings.Transport = Value().ToLowerInvariant();
                    if (settings.Transport is not ("stdio" or "http" or "sse"))
                        throw new UsageException($"--transport must be stdio, http or sse; got '{settings.Transport}'.");
                    break;
                case "--host": settings.Host = Value(); break;
                case "--port":
                    if (!int.TryParse(Value(), out var port) || port is < 0 or > 65535)
                        throw new UsageException("--port must be a number from 0 to 65535.");
                    settings.Port = port;
                    break;
                case "--auth-token": settings.HttpAuthToken = Value(); break;
                case "--request-timeout": settings.Api.RequestTimeout = Seconds(Value(), arg); break;
                case "--max-request-bytes":
                    if (!long.TryParse(Value(), out var bytes) || bytes < 1024)
                        throw new UsageException("--max-request-bytes must be a number of bytes, at least 1024.");
                    settings.MaxRequestBytes = bytes;
                    break;
                case "--rate-limit":
                    if (!int.TryParse(Value(), out var rate) || rate < 0)
                        throw new UsageException("--rate-limit must be a number of requests per second per session (0 turns it off).");
                    settings.RateLimit = rate;
                    break;
                case "--shutdown-timeout":
                    if (!int.TryParse(Value(), out var seconds) || seconds is < 0 or > 3600)
                        throw new UsageException("--shutdown-timeout must be a number of seconds from 0 to 3600.");
                    settings.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
                    break;
                case "--region" or "--workspace" or "--token" or "--url": options[arg[2..]] = Value(); break;
                case "--allowed-hosts": AddList(settings.AllowedHosts, Value()); break;
                case "--allowed-origins": AddList(settings.AllowedOrigins, Value()); break;
                case "--log-level":
                    options["log-level"] = Value();
                    settings.LogLevel = options["log-level"].ToLowerInvariant() switch
                    {
                        "trace" => LogLevel.Trace,
                        "debug" => LogLevel.Debug,
                        "info" or "information" => LogLevel.Information,
                        "warn" or "warning" => LogLevel.Warning,
                        "error" => LogLevel.Error,
                        "none" or "off" => LogLevel.None,
                        var other => throw new UsageException($"--log-level must be trace, debug, info, warning, error or none; got '{other}'."),
                    };
                    break;
                default:
                    if (arg.StartsWith('-'))
                        throw new UsageException($"Unknown option '{arg}'. Run 'alpacon-mcp --help'.");
                    Positional(args[i]);
                    break;
            }
        }
        try
        {
            Toolsets.Select(settings.Toolsets);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        return new CommandLine(command, positionals, settings, help, version, options);

        void Positional(string word)
        {
            if (command is null)
                command = word;
            else
                positionals.Add(word);
        }
    }

    private static TimeSpan Seconds(string value, string name) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 600
            ? TimeSpan.FromSeconds(s)
            : throw new UsageException($"{name} must be a number of seconds from 1 to 600; got '{value}'.");
    /// <summary><c>ALPACON_MCP_READ_ONLY=1</c>: the environment's way to say <c>--read-only</c> (for client configurations).</summary>
    public const string ReadOnlyVariable = "ALPACON_MCP_READ_ONLY";

    public const string ConfirmVariable = "ALPACON_MCP_CONFIRM_DESTRUCTIVE";
    private static bool IsTrue(string value) => value.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";
    private static ConfirmPolicy ParseConfirm(string value, string source) => value.Trim().ToLowerInvariant() switch
    {
        "auto" => ConfirmPolicy.Auto,
        "always" => ConfirmPolicy.Always,
        "never" => ConfirmPolicy.Never,
        var other => throw new UsageException($"{source} must be auto, always or never; got '{other}'."),
    };

    private static void AddList(IList<string> list, string value)
    {
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(item);
    }
}

/// <summary>The command line is wrong; the message says how (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
