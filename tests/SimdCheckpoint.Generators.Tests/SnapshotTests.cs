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
    public void Snapshot_mismatch_names_the_first_differing_line()
    {
        string message = Snapshot.FirstDifference("a\nb\nc\n", "a\nB\nc\n");

        Assert.Equal("line 2:\n  expected: b\n  actual:   B", message);
        Assert.Equal("line 3:\n  expected: c\n  actual:   <end of file>", Snapshot.FirstDifference("a\nb\nc", "a\nb"));
    }
}
