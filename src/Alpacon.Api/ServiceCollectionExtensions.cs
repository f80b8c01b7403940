using System.Net;
using Alpacon.Api.Auth;
using Alpacon.Api.Commands;
using Alpacon.Api.Events;
using Alpacon.Api.Http;
using Alpacon.Api.Iam;
using Alpacon.Api.Metrics;
using Alpacon.Api.Servers;
using Alpacon.Api.SystemInfo;
using Alpacon.Api.Webftp;
using Alpacon.Api.Websh;
using Alpacon.Api.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alpacon.Api;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the typed API clients. Logging of request URLs is removed: presigned URLs are credentials.</summary>
    public static IServiceCollection AddAlpaconApi(this IServiceCollection services, AlpaconApiOptions? options = null)
    {
        options ??= new AlpaconApiOptions();
        services.AddSingleton(options);
        services.AddHttpClient<AlpaconHttp>(client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // each attempt is bounded by the resilience handler
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            })
            .AddHttpMessageHandler(() => new ResilienceHandler(options))
            .RemoveAllLoggers();
        services.AddTransient<AuthClient>();
        services.AddTransient<ServersClient>();
        services.AddTransient<IamClient>();
        services.AddTransient<WorkspacesClient>();
        services.AddTransient<MetricsClient>();
        services.AddTransient<SystemInfoClient>();
        services.AddWebftp(options);
        services.AddTransient<EventsClient>();
        services.AddTransient<CommandsClient>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransient<CommandWaiter>();
        services.AddTransient<CommandExecutor>();
        services.AddTransient<WebshClient>();
        return services;
    }
}
