using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventCore.Server.Tests.Support;

/// <summary>
/// Records every measurement of one meter (by name) with its tags. Meters are process-wide and tests run in
/// parallel, so <see cref="For"/> keeps only the measurements of one server (its <c>server.port</c> tag).
/// </summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MeasurementRecorder(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> For(int port) =>
        [.. _measurements.Where(m => m.Tags.TryGetValue("server.port", out var p) && p is int value && value == port)];

    /// <summary>Waits (bounded) until a measurement matching <paramref name="predicate"/> for <paramref name="port"/> arrives.</summary>
    public async Task<Measurement> WaitForAsync(int port, Func<Measurement, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (For(port).FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, instrument.GetType().Name, value, copy));
    }

    /// <summary>One measurement: instrument, its unit and kind (e.g. <c>UpDownCounter`1</c>), value and tags.</summary>
    internal sealed record Measurement(string Name, string? Unit, string Kind, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value?.ToString() : null;
    }
}
