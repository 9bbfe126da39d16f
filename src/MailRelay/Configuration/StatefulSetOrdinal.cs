using System.Globalization;

namespace MailRelay.Configuration;

/// <summary>A StatefulSet pod's name, <c>&lt;statefulset&gt;-&lt;ordinal&gt;</c>, taken apart.</summary>
public static class StatefulSetOrdinal
{
    public static bool TryParse(string podName, out string statefulSet, out int ordinal)
    {
        ArgumentNullException.ThrowIfNull(podName);
        statefulSet = string.Empty;
        ordinal = -1;
        var dash = podName.LastIndexOf('-');
        if (dash <= 0 || dash == podName.Length - 1)
        {
            return false;
        }

        var digits = podName.AsSpan(dash + 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ordinal))
        {
            ordinal = -1;
            return false;
        }

        statefulSet = podName[..dash];
        return true;
    }
}
