using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Binds the minimum data rates from configuration, which the configuration binder cannot do by itself:
/// <see cref="MinDataRate"/> is immutable (constructor only) and already set to a default. Keys, under
/// <c>EventCore:Limits</c>: <c>MinRequestBodyDataRate:BytesPerSecond</c> and <c>:GracePeriod</c> (a TimeSpan), the same
/// for <c>MinResponseDataRate</c>; a key left out keeps the current value, <c>BytesPerSecond</c> 0 means no minimum.
/// </summary>
internal static class MinDataRateBinding
{
    public static void Bind(IConfiguration limits, EventCoreServerLimits target)
    {
        target.MinRequestBodyDataRate = Read(limits.GetSection(nameof(EventCoreServerLimits.MinRequestBodyDataRate)), target.MinRequestBodyDataRate);
        target.MinResponseDataRate = Read(limits.GetSection(nameof(EventCoreServerLimits.MinResponseDataRate)), target.MinResponseDataRate);
    }

    private static MinDataRate? Read(IConfigurationSection section, MinDataRate? current)
    {
        var rateText = section[nameof(MinDataRate.BytesPerSecond)];
        var graceText = section[nameof(MinDataRate.GracePeriod)];
        if (rateText is null && graceText is null)
        {
            return current;
        }

        var rate = rateText is null ? current?.BytesPerSecond ?? 240 : double.Parse(rateText, CultureInfo.InvariantCulture);
        if (rate == 0)
        {
            return null;
        }

        var grace = graceText is null ? current?.GracePeriod ?? TimeSpan.FromSeconds(5) : TimeSpan.Parse(graceText, CultureInfo.InvariantCulture);
        return new MinDataRate(rate, grace);
    }
}
