using System.Globalization;
using System.Net;
using System.Text;
using MailRelay.Configuration.Syntax;
using MailRelay.Smtp.Net;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// The configuration value syntaxes. The first byte picks the syntax, the rest is the value (as the
/// environment would give it). Each parser answers with true and a value, or false and an error text,
/// never an exception (<see cref="NetworkList"/> throws <see cref="FormatException"/> only); surrounding
/// whitespace changes nothing; and every accepted value, written back the way the documentation writes it,
/// parses to the same value.
/// </summary>
internal static class ConfigurationSyntaxTarget
{
    private static readonly Action<string>[] Syntaxes =
    [
        Duration, Size, Boolean, Port, AddressAndPort, IPEndPointSyntax, HostAndPort, Host, DomainName, Listener,
        Networks, JsonTables, DeliveryRoutes, Rate,
    ];

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(input, 1, input.Length - 1);
        Syntaxes[input[0] % Syntaxes.Length](text);
    }

    private static void Outcome(bool ok, string error, string what)
    {
        Invariant.Holds(ok == (error.Length == 0), $"{what}: an error text exactly when refused");
    }

    private static void Duration(string text)
    {
        var ok = DurationSyntax.TryParse(text, out var value, out var error);
        Outcome(ok, error, "duration");
        Invariant.Equal(ok, DurationSyntax.TryParse(" " + text + "\t", out var padded, out _), "duration: whitespace changes nothing");
        if (ok)
        {
            Invariant.Equal(value, padded, "duration: whitespace changes nothing");
            Invariant.Holds(value >= TimeSpan.Zero && value <= TimeSpan.FromDays(3650), "duration: 0 to 3650 days");
            var written = ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
            Invariant.Holds(DurationSyntax.TryParse(written, out var again, out _) && again == value, $"duration: {written} parses back");
        }

        var positive = DurationSyntax.TryParsePositive(text, out var positiveValue, out var positiveError);
        Outcome(positive, positiveError, "positive duration");
        Invariant.Equal(ok && value > TimeSpan.Zero, positive, "positive duration: accepted exactly when more than zero");
        Invariant.Holds(!positive || positiveValue == value, "positive duration: same value");
    }

    private static void Size(string text)
    {
        var ok = SizeSyntax.TryParse(text, out var value, out var error);
        Outcome(ok, error, "size");
        if (ok)
        {
            Invariant.Holds(value >= 0, "size: not negative");
            var written = value.ToString(CultureInfo.InvariantCulture);
            Invariant.Holds(SizeSyntax.TryParse(written, out var again, out _) && again == value, $"size: {written} parses back");
            Invariant.Holds(SizeSyntax.TryParse(" " + text + " ", out var padded, out _) && padded == value, "size: whitespace changes nothing");
        }
    }

    private static void Boolean(string text)
    {
        var ok = BooleanSyntax.TryParse(text, out var value, out var error);
        Outcome(ok, error, "boolean");
        if (ok)
        {
            Invariant.Holds(BooleanSyntax.TryParse(value ? "true" : "false", out var again, out _) && again == value, "boolean: parses back");
        }
    }

    private static void Port(string text)
    {
        var ok = EndpointSyntax.TryParsePort(text, out var port, out var error);
        Outcome(ok, error, "port");
        Invariant.Holds(!ok || port is >= 1 and <= 65535, "port: 1 to 65535");
    }

    private static void AddressAndPort(string text)
    {
        var ok = EndpointSyntax.TryParseAddressAndPort(text, out var address, out var port, out var error);
        Outcome(ok, error, "address and port");
        if (!ok)
        {
            return;
        }

        Invariant.Holds(port is >= 0 and <= 65535, "address and port: port 0 to 65535");
        var written = address is null ? port.ToString(CultureInfo.InvariantCulture) : EndpointSyntax.Format(new IPEndPoint(address, port));
        Invariant.Holds(
            EndpointSyntax.TryParseAddressAndPort(written, out var againAddress, out var againPort, out _) && Equals(address, againAddress) && port == againPort,
            $"address and port: {written} parses back");
    }

    private static void IPEndPointSyntax(string text)
    {
        var ok = EndpointSyntax.TryParseIPEndPoint(text, 25, out var endPoint, out var error);
        Outcome(ok, error, "IP endpoint");
        if (ok)
        {
            var written = EndpointSyntax.Format(endPoint);
            Invariant.Holds(EndpointSyntax.TryParseIPEndPoint(written, 25, out var again, out _) && again.Equals(endPoint), $"IP endpoint: {written} parses back");
        }
    }

    private static void HostAndPort(string text)
    {
        var ok = EndpointSyntax.TryParseHostAndPort(text, 25, out var host, out var port, out var error);
        Outcome(ok, error, "host and port");
        if (!ok)
        {
            return;
        }

        Invariant.Holds(port is >= 1 and <= 65535, "host and port: port 1 to 65535");
        Invariant.Holds(EndpointSyntax.TryParseHost(host, out var again, out _) && again == host, $"host and port: the host {host} is a canonical host");
        var written = (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);
        Invariant.Holds(
            EndpointSyntax.TryParseHostAndPort(written, 25, out var againHost, out var againPort, out _) && againHost == host && againPort == port,
            $"host and port: {written} parses back");
    }

    private static void Host(string text)
    {
        var ok = EndpointSyntax.TryParseHost(text, out var host, out var error);
        Outcome(ok, error, "host");
        if (ok)
        {
            Invariant.Holds(EndpointSyntax.TryParseHost(host, out var again, out _) && again == host, $"host: {host} is canonical");
        }
    }

    private static void DomainName(string text)
    {
        foreach (var requireDot in new[] { false, true })
        {
            var ok = DomainNameSyntax.TryParse(text, requireDot, out var name, out var error);
            Outcome(ok, error, "domain name");
            if (ok)
            {
                Invariant.Holds(name.Length is > 0 and <= 253 && !name.Any(char.IsUpper), "domain name: lower case, 1 to 253 characters");
                Invariant.Holds(DomainNameSyntax.TryParse(name, requireDot, out var again, out _) && again == name, $"domain name: {name} parses back");
            }
        }
    }

    private static void Listener(string text)
    {
        var ok = ListenerSyntax.TryParse(text, out var listener, out var error);
        Outcome(ok, error, "listener");
        if (ok)
        {
            var written = listener.ToString();
            Invariant.Holds(ListenerSyntax.TryParse(written, out var again, out _) && again == listener, $"listener: {written} parses back");
            Invariant.Holds(ListenerSyntax.Conflict(listener.EndPoint, listener.EndPoint) == (listener.EndPoint.Port != 0), "listener: conflicts with itself unless ephemeral");
        }
    }

    private static void Networks(string text)
    {
        NetworkList list;
        try
        {
            list = NetworkList.Parse(text);
        }
        catch (FormatException ex)
        {
            Invariant.Holds(ex.Message.Length > 0, "networks: the error says what is wrong");
            return;
        }

        foreach (var network in list.Networks)
        {
            Invariant.Holds(list.Contains(network.BaseAddress), $"networks: {network} contains its own base address");
        }

        var written = list.ToString();
        var again = NetworkList.Parse(written);
        Invariant.Equal(written, again.ToString(), "networks: the written list parses back");
    }

    private static void JsonTables(string text)
    {
        foreach (var fields in new[] { JsonTableSyntax.RateLimitFields, JsonTableSyntax.AdaptiveRateFields, JsonTableSyntax.AdaptiveRateDomainFields })
        {
            var ok = JsonTableSyntax.TryParseObject(text, fields, out _, out var error);
            Outcome(ok, error, "JSON object");
            ok = JsonTableSyntax.TryParseDomainTable(text, fields, out _, out error);
            Outcome(ok, error, "JSON domain table");
        }
    }

    private static void DeliveryRoutes(string text)
    {
        var ok = DeliveryRoutesSyntax.TryParse(text, out var routes, out var error);
        Outcome(ok, error, "delivery routes");
        Invariant.Holds(ok || routes.Count == 0 || error.Length > 0, "delivery routes: refused with a reason");
    }

    private static void Rate(string text)
    {
        if (JsonTableSyntax.TryParseRate(text, out var count, out var interval))
        {
            Invariant.Holds(count > 0 && interval > TimeSpan.Zero, "rate: a positive count per positive interval");
        }
    }
}
