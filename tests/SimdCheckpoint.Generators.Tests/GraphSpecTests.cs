using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SimdCheckpoint.Generators.Analyzers;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// A network declared as a graph of nodes joined by named tensors (the JSON <c>nodes</c> form): it compiles into the
/// same kernels as the chain it describes, a wiring mistake is SCK0018 naming the node and the tensor, and a
/// checkpoint session of a type declared without gradients is SCK0019 at the type argument.
/// </summary>
public sealed class GraphSpecTests
{
    private const string Declaration = "using SimdCheckpoint;\nnamespace N;\n[NetworkFile(\"probe.json\")]\npublic partial class Probe;";

    private const string GraphJson = """
        {
          "name": "Probe",
          "inputs": [ { "name": "x", "width": 6 } ],
          "nodes": [
            { "op": "dense", "name": "fc1", "from": "x", "to": "h", "outputs": 20, "activation": "relu" },
            { "op": "dense", "name": "fc2", "from": "h", "to": "logits", "outputs": 3 }
          ],
          "outputs": [ "logits" ]
        }
        """;

    private const string ChainSource = """
        using SimdCheckpoint;
        namespace N;
        [Network]
        [Dense(6, 20, Activation.Relu, Name = "fc1")]
        [Dense(20, 3, Name = "fc2")]
        public partial class Probe;
        """;

    [Fact]
    public void A_graph_of_dense_nodes_compiles_to_the_kernels_of_the_same_chain()
    {
        GeneratorRun graph = GeneratorHarness.Run(Declaration, GeneratorHarness.Json("/src/probe.json", GraphJson));
        GeneratorRun chain = GeneratorHarness.Run(ChainSource);

        Assert.Empty(graph.Diagnostics);
        Assert.Empty(graph.Output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Equal(Kernels(chain.SingleSource), Kernels(graph.SingleSource));
    }

    [Fact]
    public void A_node_reading_a_tensor_nothing_writes_reports_SCK0018_naming_it()
    {
        string json = GraphJson.Replace("\"from\": \"h\"", "\"from\": \"hidden\"", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(Declaration, GeneratorHarness.Json("/src/probe.json", json));

        // Both ends of the broken edge, each at its place in the file, and no second-hand size error for fc2, whose
        // width comes from the tensor it reads.
        Assert.Equal(["SCK0018", "SCK0018"], run.Diagnostics.Select(d => d.Id).ToArray());
        Diagnostic reads = Assert.Single(run.Diagnostics, d => d.Message().Contains("'fc2'", StringComparison.Ordinal));
        Assert.Equal("probe.json: layer 1 ('fc2') reads 'hidden', which no earlier layer writes and is not a network input.", reads.Message());
        Assert.Equal("/src/probe.json", reads.Location.GetLineSpan().Path);
        Assert.Equal("(6,45)", reads.Position());
        Diagnostic writes = Assert.Single(run.Diagnostics, d => d.Message().Contains("'fc1'", StringComparison.Ordinal));
        Assert.Equal("probe.json: layer 0 ('fc1') writes 'h', which no layer reads and is not a network output: the layer would compute nothing used.", writes.Message());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Two_nodes_writing_one_tensor_report_SCK0018()
    {
        string json = GraphJson.Replace("\"to\": \"logits\"", "\"to\": \"h\"", StringComparison.Ordinal);
        GeneratorRun run = GeneratorHarness.Run(Declaration, GeneratorHarness.Json("/src/probe.json", json));

        Assert.Contains(run.Diagnostics, d => d.Id == "SCK0018" && d.Message().Contains("writes 'h', which", StringComparison.Ordinal));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("[Network]", true)]
    [InlineData("[Network(Gradients = true)]", false)]
    public async Task A_checkpoint_session_of_a_forward_only_type_reports_SCK0019_at_the_type_argument(string attribute, bool reported)
    {
        string source = $$"""
            using SimdCheckpoint;
            using SimdCheckpoint.Checkpointing;
            namespace N;
            {{attribute}}
            [Dense(4, 3, Activation.Relu)]
            public partial class Net;
            public static class Use
            {
                public static object Make(NetworkWeights<Net> w) => new CheckpointSession<Net>(w, 1, CheckpointSchedule.StoreAll(1));
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        ImmutableArray<Diagnostic> analyzer = await run.Output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new GradientsAnalyzer()))
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);

        if (!reported)
        {
            Assert.Empty(analyzer);
            Assert.Empty(run.Output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
            return;
        }

        Diagnostic d = Assert.Single(analyzer);
        Assert.Equal("SCK0019", d.Id);
        Assert.Equal("Net", d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.Equal("'N.Net' was generated without backward kernels, so no CheckpointSession can differentiate it: declare it [Network(..., Gradients = true)].", d.Message());
    }

    /// <summary>The nested Kernels class: what a network computes, without the spec text and names around it.</summary>
    private static string Kernels(string source) => source[source.IndexOf("internal static class Kernels", StringComparison.Ordinal)..];
}
