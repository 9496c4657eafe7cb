using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace MinimalApi.Sessions;

/// <summary>
/// Where state that several instances must share lives: the distributed cache (sessions) and the Data
/// Protection key ring (auth, session and antiforgery cookies). In memory by default; with
/// <c>ConnectionStrings:Redis</c> set, both go to Redis, so instances behind a load balancer share logins and sessions.
/// </summary>
internal static class SharedState
{
    /// <summary>The Data Protection application name: instances must agree on it to read each other's cookies.</summary>
    public const string ApplicationName = "EventCore.Sample";

    private const string KeyRingKey = "EventCore:DataProtection-Keys";

    public static IServiceCollection AddSharedState(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddHostedService<KeyRingWarmUp>();
        var redis = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddDistributedMemoryCache();
            return services;
        }

        // One multiplexer for the cache and the key ring, connected on first use; the container disposes it.
        var connection = new RedisConnection(redis);
        services.AddSingleton(_ => connection);
        services.AddStackExchangeRedisCache(options =>
        {
            options.InstanceName = "EventCore:";
            options.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection.Multiplexer);
        });
        dataProtection.PersistKeysToStackExchangeRedis(() => connection.Multiplexer.GetDatabase(), KeyRingKey);
        return services;
    }

    /// <summary>
    /// Loads the Data Protection key ring at start. Its first load reads the key files (or Redis) synchronously; left
    /// to the first sign-in, session or antiforgery request, that read would run on the epoll loop thread.
    /// </summary>
    private sealed class KeyRingWarmUp(IDataProtectionProvider provider, ILogger<KeyRingWarmUp> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                provider.CreateProtector("EventCore.Sample.WarmUp").Protect("warm-up"u8.ToArray());
            }
            catch (Exception ex) when (ex is RedisException or IOException or InvalidOperationException)
            {
                logger.LogWarning(ex, "The Data Protection key ring could not be loaded at start; it loads on first use");
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class RedisConnection(string configuration) : IDisposable
    {
        private readonly Lazy<ConnectionMultiplexer> _multiplexer = new(() => ConnectionMultiplexer.Connect(configuration));

        public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

        public void Dispose()
        {
            if (_multiplexer.IsValueCreated)
            {
                _multiplexer.Value.Dispose();
            }
        }
    }
}
