using System;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>C# literals that round-trip exactly.</summary>
internal static class Literals
{
    /// <summary>The shortest literal that parses back to exactly <paramref name="value"/>'s bits ("0.01f").</summary>
    public static string Float(float value)
    {
        // "R" is exact on .NET Core; on .NET Framework hosts it can fail to round-trip, and "G9" always does.
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!RoundTrips(text, value))
        {
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        }

        if (text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0)
        {
            text += ".0";
        }

        return text + "f";
    }

    public static string String(string value)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>
    /// Text for a <c>//</c> comment: control characters and C#'s other line breaks (U+0085, U+2028, U+2029) escaped,
    /// so a name read from a spec file cannot end the comment and become code.
    /// </summary>
    public static string Comment(string value)
    {
        var sb = new System.Text.StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c < ' ' || c == '\u007f' || c == '\u0085' || c == '\u2028' || c == '\u2029')
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A declared name as C# source: a reserved keyword gets back the '@' its declaration had ("@event").</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool RoundTrips(string text, float value) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed)
        && BitConverter.ToInt32(BitConverter.GetBytes(parsed), 0) == BitConverter.ToInt32(BitConverter.GetBytes(value), 0);
}
