using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// <c>[NetworkFile("x.onnx")]</c>: the generator reads the graph with the runtime's reader and emits exactly what the
/// same network declared with attributes gives; a graph it cannot compile is an error naming the node.
/// </summary>
public sealed class OnnxGeneratorTests
{
    private const string Declaration = "using SimdCheckpoint;\nnamespace N;\n[NetworkFile(\"mlp_relu.onnx\")]\npublic partial class Net;";

    private static readonly byte[] MlpRelu = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Models", "mlp_relu.onnx"));

    [Fact]
    public void Onnx_model_generates_the_code_of_the_same_network_declared_with_attributes()
    {
        using var file = new TempModel(MlpRelu);
        string fromOnnx = GeneratorHarness.Run(Declaration, file.Text).SingleSource;
        string fromAttributes = GeneratorHarness.Run(
            "using SimdCheckpoint;\nnamespace N;\n[Network]\n[Dense(20, 32, Activation.Relu, Name = \"fc1\")]\n[Dense(32, 10, Name = \"fc2\")]\npublic partial class Net;").SingleSource;

        // Only the header line naming the source differs.
        Assert.Contains("generated at build time from mlp_relu.onnx", fromOnnx, StringComparison.Ordinal);
        Assert.Equal(WithoutSourceLine(fromAttributes), WithoutSourceLine(fromOnnx));
    }

    [Fact]
    public void Generated_code_of_an_onnx_model_compiles_cleanly()
    {
        using var file = new TempModel(MlpRelu);
        GeneratorRun run = GeneratorHarness.Run(Declaration, file.Text);
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Unsupported_operator_reports_SCK0016_naming_the_node_and_its_op_type()
    {
        // The same model with its Relu node turned into a Selu (same length, so every length prefix stays right).
        using var file = new TempModel(Replace(MlpRelu, "Relu", "Selu"));
        GeneratorRun run = GeneratorHarness.Run(Declaration, file.Text);
        Diagnostic d = run.Single("SCK0016");

        Assert.Equal("\"mlp_relu.onnx\"", run.TextAt(d));
        Assert.Contains("mlp_relu.onnx: node '/Selu' (Selu) is an operator SimdCheckpoint does not compile. Supported: Gemm", d.Message(), StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_model_reports_SCK0017()
    {
        using var file = new TempModel(MlpRelu.AsSpan(0, MlpRelu.Length / 2).ToArray());
        GeneratorRun run = GeneratorHarness.Run(Declaration, file.Text);
        Diagnostic d = run.Single("SCK0017");

        Assert.Equal("\"mlp_relu.onnx\"", run.TextAt(d));
        Assert.Contains("Malformed ONNX file", d.Message(), StringComparison.Ordinal);
        Assert.Contains("truncated", d.Message(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_onnx_file_reports_SCK0006_listing_onnx_files_too()
    {
        using var file = new TempModel(MlpRelu, "other.onnx");
        GeneratorRun run = GeneratorHarness.Run(Declaration, file.Text);
        Diagnostic d = run.Single("SCK0006");
        Assert.Contains("the .json and .onnx AdditionalFiles are: other.onnx", d.Message(), StringComparison.Ordinal);
    }

    private static string WithoutSourceLine(string source) =>
        string.Join("\n", source.Split('\n').Where(l => !l.StartsWith("// SimdCheckpoint: the kernels of", StringComparison.Ordinal)));

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        byte[] a = Encoding.ASCII.GetBytes(from), b = Encoding.ASCII.GetBytes(to);
        byte[] result = (byte[])bytes.Clone();
        int replaced = 0;
        for (int i = 0; i + a.Length <= result.Length; i++)
        {
            if (result.AsSpan(i, a.Length).SequenceEqual(a))
            {
                b.CopyTo(result, i);
                replaced++;
            }
        }

        Assert.True(replaced > 0);
        return result;
    }

    /// <summary>
    /// A model written to a temporary file: the compiler hands generators additional files only as text, so the
    /// generator reads an .onnx file's bytes from its path, which must therefore exist.
    /// </summary>
    private sealed class TempModel : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("sck-onnx-").FullName;

        public TempModel(byte[] bytes, string name = "mlp_relu.onnx")
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllBytes(path, bytes);
            Text = new BinaryText(path);
        }

        public AdditionalText Text { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }

    private sealed class BinaryText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        // What the compiler would give for a binary file: decoded text that the generator must not use.
        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            SourceText.From(Encoding.Latin1.GetString(File.ReadAllBytes(Path)));
    }
}
