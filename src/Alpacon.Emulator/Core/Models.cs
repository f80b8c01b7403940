using System.Text.Json.Nodes;

namespace Alpacon.Emulator.Core;

/// <summary>A workspace user (IAM). Principals of API tokens are users.</summary>
public sealed class User
{
    public required string Id { get; init; }
    public required string Username { get; init; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; set; } = "";
    public string Phone { get; set; } = "";
    public string Tags { get; set; } = "";
    public string Description { get; set; } = "";
    public int Uid { get; init; }
    public string Shell { get; set; } = "/bin/bash";
    public bool IsActive { get; set; } = true;
    public bool IsStaff { get; set; }
    public bool IsSuperuser { get; set; }
    public bool IsLdapUser { get; set; }
    public DateTimeOffset DateJoined { get; init; }

    public string FullName => $"{FirstName} {LastName}".Trim() is { Length: > 0 } n ? n : Username;

    /// <summary>The nested user summary every related object carries since 2026.</summary>
    public JsonObject Summary() => new() { ["id"] = Id, ["name"] = FullName, ["email"] = Email };

    public JsonObject ToJson(int numGroups = 0) => new()
    {
        ["id"] = Id,
        ["username"] = Username,
        ["first_name"] = FirstName,
        ["last_name"] = LastName,
        ["email"] = Email,
        ["phone"] = Phone,
        ["tags"] = Tags,
        ["description"] = Description,
        ["num_groups"] = numGroups,
        ["uid"] = Uid,
        ["shell"] = Shell,
        ["home_directory"] = $"/home/{Username}",
        ["is_active"] = IsActive,
        ["is_staff"] = IsStaff,
        ["is_superuser"] = IsSuperuser,
        ["is_ldap_user"] = IsLdapUser,
        ["date_joined"] = Api.Iso(DateJoined),
    };
}

/// <summary>How a simulated host behaves in telemetry.</summary>
public enum HostProfile
{
    Normal,
    CpuSpike,
    DiskNearlyFull,
    Idle,
}

/// <summary>A managed server and the simulated host behind it.</summary>
public sealed class Server
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string RemoteIp { get; init; }
    public bool IsConnected { get; set; } = true;
    public bool Commissioned { get; set; } = true;
    public bool Starred { get; set; }
    public required string OsName { get; init; }
    public required string OsVersion { get; init; }
    public string Platform { get; init; } = "ubuntu";
    public string PlatformLike { get; init; } = "debian";
    public int PhysicalCores { get; init; } = 2;
    public int LogicalCores { get; init; } = 4;
    public string CpuType { get; init; } = "x86_64";
    public string CpuBrand { get; init; } = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz";
    public long PhysicalMemory { get; init; } = 8L << 30;
    public double Load { get; set; } = 0.3;
    public DateTimeOffset BootTime { get; init; }
    public required User Owner { get; init; }
    public HostProfile Profile { get; init; } = HostProfile.Normal;
    public List<string> GroupIds { get; } = [];
    public DateTimeOffset AddedAt { get; init; }

    public string OsLabel => $"{OsName} {OsVersion}";

    public JsonObject Summary() => new() { ["id"] = Id, ["name"] = Name, ["os"] = OsLabel, ["is_connected"] = IsConnected };

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["name"] = Name,
        ["description"] = Description,
        ["remote_ip"] = RemoteIp,
        ["is_connected"] = IsConnected,
        ["commissioned"] = Commissioned,
        ["starred"] = Starred,
        ["status"] = Status(),
        ["cpu_physical_cores"] = PhysicalCores,
        ["cpu_logical_cores"] = LogicalCores,
        ["cpu_type"] = CpuType,
        ["physical_memory"] = PhysicalMemory,
        ["os_name"] = OsName,
        ["os_version"] = OsVersion,
        ["load"] = Load,
        ["boot_time"] = Api.Iso(BootTime),
        ["owner"] = Owner.Summary(),
        ["groups"] = new JsonArray([.. GroupIds.Select(g => (JsonNode)g)]),
        ["added_at"] = Api.Iso(AddedAt),
    };

    private JsonObject Status() => IsConnected
        ? new()
        {
            ["code"] = "connected",
            ["text"] = "Connected",
            ["color"] = "success",
            ["icon"] = "ok",
            ["meta"] = new JsonObject { ["delay_now"] = 0.02, ["delay_1h"] = 0.03, ["delay_1d"] = 0.03, ["delay_1w"] = 0.04 },
            ["messages"] = new JsonArray(),
        }
        : new()
        {
            ["code"] = "disconnected",
            ["text"] = "Disconnected",
            ["color"] = "danger",
            ["icon"] = "error",
            ["meta"] = new JsonObject(),
            ["messages"] = new JsonArray("The agent has not reported for more than 5 minutes."),
        };
}

/// <summary>A note on a server. The API has no title.</summary>
public sealed class Note
{
    public required string Id { get; init; }
    public required Server Server { get; init; }
    public required User Author { get; init; }
    public required string Content { get; set; }
    public bool Private { get; set; }
    public bool Pinned { get; set; }
    public DateTimeOffset AddedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["server"] = Server.Summary(),
        ["author"] = Author.Summary(),
        ["content"] = Content,
        ["private"] = Private,
        ["pinned"] = Pinned,
        ["added_at"] = Api.Iso(AddedAt),
        ["updated_at"] = Api.Iso(UpdatedAt),
    };
}
