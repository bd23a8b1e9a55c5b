using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>The generated source, compared line for line with the reviewed copies under Snapshots/.</summary>
public sealed class SnapshotTests
{
    public const string TinySource = """
        using SimdCheckpoint;

        namespace Samples;

        [Network]
        [Dense(5, 20, Activation.Relu, Name = "hidden")]
        [Dense(20, 3, Activation.LeakyRelu, Alpha = 0.125f)]
        public partial class Tiny;
        """;

    public const string TinyJson = """
        {
          "name": "TinyJson",
          "layers": [
            { "name": "hidden", "inputs": 5, "outputs": 20, "activation": "relu" },
            { "outputs": 3, "activation": "leaky_relu", "alpha": 0.125 }
          ]
        }
        """;

    public const string TinyFromJsonSource = """
        using SimdCheckpoint;

        namespace Samples;

        [NetworkFile("tiny.json")]
        public partial class TinyFromJson;
        """;

    [Fact]
    public void Attribute_network_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(TinySource);

        Assert.Equal("Samples.Tiny.g.cs", Assert.Single(run.Sources).HintName);
        Snapshot.Match(run.SingleSource, "Samples.Tiny");
    }

    [Fact]
    public void Json_network_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(TinyFromJsonSource, GeneratorHarness.Json("/src/tiny.json", TinyJson));

        Assert.Equal("Samples.TinyFromJson.g.cs", Assert.Single(run.Sources).HintName);
        Snapshot.Match(run.SingleSource, "Samples.TinyFromJson");
    }

    public const string ActivationsJson = """
        {
          "name": "Classifier",
          "layers": [
            { "name": "embed", "inputs": 6, "outputs": 20, "activation": "gelu" },
            { "name": "gate", "outputs": 20, "activation": "swish" },
            { "name": "classes", "outputs": 4, "activation": "softmax" }
          ]
        }
        """;

    [Fact]
    public void Transcendental_epilogues_and_softmax_match_snapshot()
    {
        const string source = """
            using SimdCheckpoint;

            namespace Samples;

            [NetworkFile("classifier.json")]
            public partial class Classifier;
            """;
        GeneratorRun run = GeneratorHarness.Run(source, GeneratorHarness.Json("/src/classifier.json", ActivationsJson));

        Assert.Empty(run.Diagnostics);
        Snapshot.Match(run.SingleSource, "Samples.Classifier");
    }

    [Fact]
    public void Gradient_network_matches_snapshot()
    {
        // Tiny with Gradients = true: the same forward kernels plus the backward pass's (dX on Wᵀ, whose shapes are the
        // forward ones turned round, and no pre-activation kernel, since ReLU and LeakyReLU(0.125) read their outputs).
        const string source = """
            using SimdCheckpoint;

            namespace Samples;

            [Network(Gradients = true)]
            [Dense(5, 20, Activation.Relu, Name = "hidden")]
            [Dense(20, 3, Activation.LeakyRelu, Alpha = 0.125f)]
            public partial class TinyGradients;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Contains("IDifferentiableNetwork<TinyGradients>", run.SingleSource, System.StringComparison.Ordinal);
        Snapshot.Match(run.SingleSource, "Samples.TinyGradients");
    }

    [Fact]
    public void Forward_only_network_has_no_backward_kernels()
    {
        GeneratorRun run = GeneratorHarness.Run(TinySource);

        Assert.DoesNotContain("IDifferentiableNetwork", run.SingleSource, System.StringComparison.Ordinal);
        Assert.DoesNotContain("RunTransposed", run.SingleSource, System.StringComparison.Ordinal);
        Assert.DoesNotContain("RunPreActivation", run.SingleSource, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Network_with_a_tail_in_every_dimension_matches_snapshot()
    {
        // K = 7 and 37 (the K unroll of 4 leaves 3 and 1), N = 37 (two 16-column panels and a 5-column tail whose last
        // vector is partial on every path) and N = 13 (no whole panel at all), a GELU that needs z for its gradient,
        // with gradients, so the transposed kernels (37 -> 7, 13 -> 37) meet the same edges the other way round; rows
        // are a run-time value, so every row remainder tile is in every sweep.
        const string source = """
            using SimdCheckpoint;

            namespace Samples;

            [Network(Gradients = true)]
            [Dense(7, 37, Activation.Gelu, Name = "up")]
            [Dense(37, 13, Activation.Relu, Name = "down")]
            public partial class Tails;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Snapshot.Match(run.SingleSource, "Samples.Tails");
    }

    [Fact]
    public void Long_k_layer_runs_its_row_blocks_in_k_blocks_matches_snapshot()
    {
        // 2100 inputs: above the K-blocking threshold (2048), so the first layer's sweep walks K in blocks of 256 (the
        // last one 52 long) on its full row blocks; the second layer (40 inputs) keeps the whole-K sweep.
        const string source = """
            using SimdCheckpoint;

            namespace Samples;

            [Network]
            [Dense(2100, 40, Activation.Gelu, Name = "long")]
            [Dense(40, 3, Activation.Identity, Name = "short")]
            public partial class LongK;
            """;
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Contains("Vector512Tiles.KBlock8x48<TKernel>(", run.SingleSource, System.StringComparison.Ordinal);
        Assert.Contains("Vector256Tiles.KBlock6x16<TKernel>(", run.SingleSource, System.StringComparison.Ordinal);
        Assert.Contains("Vector128Tiles.KBlock3x16<TKernel>(", run.SingleSource, System.StringComparison.Ordinal);
        Snapshot.Match(run.SingleSource, "Samples.LongK");
    }

    [Fact]
    public void Snapshot_mismatch_names_the_first_differing_line()
    {
        string message = Snapshot.FirstDifference("a\nb\nc\n", "a\nB\nc\n");

        Assert.Equal("line 2:\n  expected: b\n  actual:   B", message);
        Assert.Equal("line 3:\n  expected: c\n  actual:   <end of file>", Snapshot.FirstDifference("a\nb\nc", "a\nb"));
    }
}
