using Microsoft.CodeAnalysis;

namespace SimdCheckpoint.Generators.Tests.Support;

internal static class DiagnosticText
{
    /// <summary>"(line,column)", one-based, as the compiler prints it.</summary>
    public static string Position(this Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        return $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})";
    }

    public static string Message(this Diagnostic diagnostic) => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
}
