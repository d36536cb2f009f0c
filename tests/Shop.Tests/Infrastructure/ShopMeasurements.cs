using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Shop.Web.Common;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// Every measurement one shop's "Shop" meter takes from now on. That meter comes from the host's IMeterFactory, so shops
/// running beside this one in other tests do not count here, and a test can assert exact numbers.
/// </summary>
public sealed class ShopMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _taken = [];

    public ShopMeasurements(IServiceProvider shopServices)
    {
        var shopsMeters = shopServices.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ShopTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, shopsMeters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Take(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Take(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Take(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of the values an instrument recorded with (at least) these tags.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many values an instrument recorded with (at least) these tags: a histogram's count.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count;

    private List<(string Instrument, double Value, Dictionary<string, string?> Tags)> Matching(string instrument, (string Key, string Value)[] tags)
    {
        lock (_taken)
        {
            return [.. _taken.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value))];
        }
    }

    private void Take(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        lock (_taken)
        {
            _taken.Add((instrument.Name, value, copied));
        }
    }

    public void Dispose() => _listener.Dispose();
}
