using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.SystemInfo;

/// <summary>The <c>server=</c> filter of the per-server collections, answered as DRF's model-choice filter does.</summary>
public static class ServerFilter
{
    /// <summary>
    /// The servers a request is about: the one named by <c>server</c>, or all of them when the filter is absent and
    /// <paramref name="required"/> is false. A missing required filter or an unknown id answers 400 and returns null.
    /// </summary>
    public static async Task<IReadOnlyList<Server>?> ResolveAsync(HttpContext ctx, bool required)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var id = Api.Query(ctx, "server");
        if (id is null)
        {
            if (!required)
            {
                lock (world.Gate)
                    return [.. world.Servers];
            }
            await Api.FieldError(ctx, "server", "This field is required.");
            return null;
        }
        Server? server;
        lock (world.Gate)
            server = world.FindServer(id);
        if (server is null)
        {
            await Api.FieldError(ctx, "server", "Select a valid choice. That choice is not one of the available choices.");
            return null;
        }
        return [server];
    }
}
