using System.Text;

namespace SimdCheckpoint.Cli.Models;

/// <summary>The C# type a model is compiled into when the user names none.</summary>
internal static class NetworkTypeName
{
    /// <summary>Where the CLI declares the types it compiles.</summary>
    public const string DefaultNamespace = "SimdCheckpoint.Models";

    /// <summary>
    /// "mnist" → "MnistNetwork", "deep-32 v2" → "Deep32V2Network": PascalCase letters and digits. The suffix keeps the
    /// type's name from hiding a System type the generated code names (Span, MathF, Vector256, ...) or its own nested
    /// Kernels class, either of which would stop it compiling.
    /// </summary>
    public static string FromSpecName(string name)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, 'N');
        }

        string pascal = sb.ToString();
        return pascal.EndsWith("Network", System.StringComparison.Ordinal) ? pascal : pascal + "Network";
    }
}
