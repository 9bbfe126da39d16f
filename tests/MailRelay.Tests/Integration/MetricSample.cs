using System.Globalization;
using System.Text.RegularExpressions;

namespace MailRelay.Tests.Integration;

/// <summary>One line of the Prometheus text format: a name, its labels and its value.</summary>
internal sealed partial record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public static IReadOnlyList<MetricSample> ParseAll(string text) =>
        [.. text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(Parse)];

    private static MetricSample Parse(string line)
    {
        var match = LinePattern().Match(line);
        if (!match.Success)
        {
            throw new FormatException($"Not a metric line: '{line}'");
        }

        var labels = LabelPattern().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return new MetricSample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPattern();
}
