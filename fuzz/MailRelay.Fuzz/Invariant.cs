using System.Diagnostics.CodeAnalysis;

namespace MailRelay.Fuzz;

/// <summary>Checks one property of a parser's result; a broken one is a crash for afl-fuzz.</summary>
internal static class Invariant
{
    public static void Holds([DoesNotReturnIf(false)] bool condition, string property)
    {
        if (!condition)
        {
            throw new InvariantViolationException(property);
        }
    }

    public static void Equal<T>(T expected, T actual, string property)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvariantViolationException($"{property}: expected {expected}, got {actual}");
        }
    }

    public static void SameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string property)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new InvariantViolationException(
                $"{property}: expected {Convert.ToHexString(expected[..Math.Min(expected.Length, 64)])} ({expected.Length} bytes), "
                + $"got {Convert.ToHexString(actual[..Math.Min(actual.Length, 64)])} ({actual.Length} bytes)");
        }
    }
}
