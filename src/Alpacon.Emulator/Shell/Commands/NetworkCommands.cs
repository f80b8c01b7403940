using System.Globalization;

namespace Alpacon.Emulator.Shell.Commands;

/// <summary>
/// ss, netstat, ip and curl. The listening sockets are the host's services; curl reaches only those on the
/// host itself, since the emulator never opens a connection.
/// </summary>
internal static class NetworkCommands
{
    /// <summary>ss [-t] [-l] [-n] [-p]: listening TCP sockets, with processes for root.</summary>
    public static ValueTask<int> Ss(CommandContext c)
    {
        var flags = string.Concat(c.Args.Where(a => a.StartsWith('-')).Select(a => a.TrimStart('-')));
        var processes = flags.Contains('p') && c.User.IsRoot;
        List<string[]> rows = [["State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"]];
        foreach (var (unit, address) in Sockets(c))
        {
            var peer = address.StartsWith('[') ? "[::]:*" : address.StartsWith('*') ? "*:*" : "0.0.0.0:*";
            var users = processes ? "users:(" + string.Join(',', (unit.Name == "nginx" ? unit.Processes : unit.Processes.Take(1)).Select(p => $"(\"{ProcessName(p)}\",pid={p.Pid},fd={6 + p.Pid % 5})")) + ")" : "";
            rows.Add(["LISTEN", "0", unit.Name == "nginx" ? "511" : "4096", address, peer, users]);
        }
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            c.Out.WriteLine($"{row[0].PadRight(widths[0])} {row[1].PadRight(widths[1])} {row[2].PadRight(widths[2])} {row[3].PadLeft(widths[3])} {row[4].PadRight(widths[4])}{row[5]}".TrimEnd());
        return CommandContext.Status(0);
    }

    /// <summary>netstat -tlnp in net-tools' layout.</summary>
    public static ValueTask<int> Netstat(CommandContext c)
    {
        var processes = c.Args.Any(a => a.StartsWith('-') && a.Contains('p', StringComparison.Ordinal));
        c.Out.WriteLine("Active Internet connections (only servers)");
        c.Out.WriteLine("Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ");
        foreach (var (unit, address) in Sockets(c))
        {
            var v6 = address.StartsWith('[');
            var local = v6 ? ":::" + address[(address.LastIndexOf(':') + 1)..] : address.Replace("*", "0.0.0.0", StringComparison.Ordinal);
            var owner = !processes ? "" : c.User.IsRoot ? $"{unit.MainPid}/{ProcessName(unit.Processes[0])}" : "-";
            c.Out.WriteLine($"{(v6 ? "tcp6" : "tcp"),-5} {0,6} {0,6} {local,-23} {(v6 ? ":::*" : "0.0.0.0:*"),-23} {"LISTEN",-11} {owner}".TrimEnd());
        }
        return CommandContext.Status(0);
    }

    /// <summary>ip addr / ip a / ip route / ip link: a loopback and one cloud interface.</summary>
    public static ValueTask<int> Ip(CommandContext c)
    {
        var facts = c.Host.Facts;
        var network = facts.PrivateIp[..facts.PrivateIp.LastIndexOf('.')];
        var mac = string.Join(':', new[] { 0x0a, facts.Seed & 0xFF, (facts.Seed >> 8) & 0xFF, (facts.Seed >> 16) & 0xFF, 0x4e, 0x5f }.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var verb = c.Args.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
        if (verb.Length > 0 && "route".StartsWith(verb, StringComparison.Ordinal))
        {
            c.Out.WriteLine($"default via {network}.1 dev ens5 proto dhcp src {facts.PrivateIp} metric 100");
            c.Out.WriteLine($"{network}.0/24 dev ens5 proto kernel scope link src {facts.PrivateIp} metric 100");
            return CommandContext.Status(0);
        }
        if (verb.Length == 0 || !("address".StartsWith(verb, StringComparison.Ordinal) || "link".StartsWith(verb, StringComparison.Ordinal)))
        {
            c.Err.WriteLine("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }");
            c.Err.WriteLine("where  OBJECT := { address | link | route | neigh | rule }");
            return CommandContext.Status(255);
        }
        var addresses = verb[0] == 'a';
        c.Out.WriteLine("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000");
        c.Out.WriteLine("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
        if (addresses)
        {
            c.Out.WriteLine("    inet 127.0.0.1/8 scope host lo");
            c.Out.WriteLine("       valid_lft forever preferred_lft forever");
        }
        c.Out.WriteLine("2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000");
        c.Out.WriteLine($"    link/ether {mac} brd ff:ff:ff:ff:ff:ff");
        if (addresses)
        {
            c.Out.WriteLine($"    inet {facts.PrivateIp}/24 metric 100 brd {network}.255 scope global dynamic ens5");
            c.Out.WriteLine("       valid_lft 2841sec preferred_lft 2841sec");
        }
        return CommandContext.Status(0);
    }

    /// <summary>
    /// curl to this host's own services (nginx serves /var/www/html, the app answers /healthz); anything else
    /// fails as on a host without a route out, because the emulator never opens a connection.
    /// </summary>
    public static ValueTask<int> Curl(CommandContext c)
    {
        var silent = c.Args.Any(a => a is "-s" or "--silent" || (a.StartsWith('-') && !a.StartsWith("--", StringComparison.Ordinal) && a.Contains('s', StringComparison.Ordinal)));
        var headOnly = c.Args.Any(a => a is "-I" or "--head" || (a.StartsWith('-') && !a.StartsWith("--", StringComparison.Ordinal) && a.Contains('I', StringComparison.Ordinal)));
        var target = c.Args.FirstOrDefault(a => !a.StartsWith('-'));
        if (target is null)
        {
            c.Err.WriteLine("curl: try 'curl --help' or 'curl --manual' for more information");
            return CommandContext.Status(2);
        }
        var uri = Uri.TryCreate(target.Contains("://", StringComparison.Ordinal) ? target : "http://" + target, UriKind.Absolute, out var parsed) ? parsed : null;
        if (uri is null)
            return CommandContext.Status(Fail(c, silent, 3, $"URL rejected: Malformed input to a URL function"));
        var local = uri.Host is "localhost" or "127.0.0.1" or "::1" || uri.Host == c.Host.Hostname || uri.Host == c.Host.Facts.PrivateIp;
        if (!local)
            return CommandContext.Status(Fail(c, silent, 6, $"Could not resolve host: {uri.Host}"));
        var listening = Sockets(c).FirstOrDefault(s => s.Address.EndsWith(":" + uri.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        if (listening.Unit is null)
            return CommandContext.Status(Fail(c, silent, 7, $"Failed to connect to {uri.Host} port {uri.Port} after 0 ms: Couldn't connect to server"));
        var (status, body) = listening.Unit.Name switch
        {
            "nginx" when c.Fs.Stat("/var/www/html" + (uri.AbsolutePath == "/" ? "/index.html" : uri.AbsolutePath)) is { IsDirectory: false } page => ("200 OK", c.Fs.ReadText(page.Path)),
            "nginx" => ("404 Not Found", $"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
            "app" or "prometheus" or "grafana-server" when uri.AbsolutePath is "/healthz" or "/-/healthy" or "/api/health" => ("200 OK", "ok\n"),
            "app" or "prometheus" or "grafana-server" => ("404 Not Found", "404 page not found\n"),
            _ => ((string?)null, ""),
        };
        if (status is null)
            return CommandContext.Status(Fail(c, silent, 52, "Empty reply from server"));
        if (headOnly)
        {
            c.Out.Write($"HTTP/1.1 {status}\r\nServer: {(listening.Unit.Name == "nginx" ? "nginx" : listening.Unit.Name)}\r\nDate: {c.Now:R}\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\n\r\n");
            return CommandContext.Status(0);
        }
        c.Out.Write(body);
        return CommandContext.Status(0);
    }

    private static int Fail(CommandContext c, bool silent, int status, string message)
    {
        if (!silent)
            c.Err.WriteLine($"curl: ({status}) {message}");
        return status;
    }

    private static IEnumerable<(ServiceUnit Unit, string Address)> Sockets(CommandContext c) =>
        c.Host.Facts.Services.Where(s => s.Active).SelectMany(s => s.Listen.Select(a => (s, a)));

    private static string ProcessName(SimulatedProcess process) => VfsPath.Name(process.Command.Split(' ')[0]).TrimEnd(':');
}
