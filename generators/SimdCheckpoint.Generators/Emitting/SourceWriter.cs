using System.Text;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>Writes indented C# (the pattern of System.Text.Json's generator): the emitters only produce text.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
        }

        _sb.Append(line).Append('\n');
    }

    public void OpenBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _indent++;
    }

    public void CloseBlock(string suffix = "")
    {
        _indent--;
        WriteLine("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _sb.ToString();
}
