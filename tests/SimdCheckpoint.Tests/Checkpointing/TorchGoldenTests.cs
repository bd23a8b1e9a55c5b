using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Checkpointing;

/// <summary>
/// The backward pass against PyTorch autograd: golden files made by tools/torch/make_backward_goldens.py (float64
/// autograd over float32 values), for networks with every activation. Autograd sums in another order, so the
/// comparison is within a tolerance: 2e-5 of the array's largest magnitude plus 1e-4 relative.
/// </summary>
public sealed class TorchGoldenTests
{
    public static TheoryData<string> Goldens() => new(
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Goldens"), "backward-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Reference_backward_matches_autograd(string file)
    {
        Golden golden = Golden.Load(file);
        BackwardResult result = new ReferenceNetwork(golden.Spec, golden.Weights).Backward(golden.Input, golden.Batch, golden.OutputGradient);
        AssertClose(golden.Output, result.Output, $"{file}: output");
        AssertClose(golden.InputGradient, result.InputGradient, $"{file}: dX");
        for (int i = 0; i < golden.Spec.Layers.Count; i++)
        {
            AssertClose(golden.WeightGradients[i], result.WeightGradients[i], $"{file}: dW{i}");
            AssertClose(golden.BiasGradients[i], result.BiasGradients[i], $"{file}: db{i}");
        }
    }

    [Theory]
    [InlineData("backward-transformer-mlp.json", nameof(TorchTransformerMlp))]
    [InlineData("backward-classifier.json", nameof(TorchClassifier))]
    [InlineData("backward-deep-narrow.json", nameof(TorchDeepNarrow))]
    public void Checkpointed_backward_of_the_generated_network_matches_autograd(string file, string network) =>
        GeneratedKernels.Invoke(typeof(TorchGoldenTests), nameof(CheckpointedMatchesAutograd), network, file);

    private static void CheckpointedMatchesAutograd<TNetwork>(string file)
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        Golden golden = Golden.Load(file);
        Assert.Equal(golden.Spec.Layers.Select(l => (l.Inputs, l.Outputs, l.Activation)), TNetwork.Spec.Layers.Select(l => (l.Inputs, l.Outputs, l.Activation)));
        var weights = NetworkWeights<TNetwork>.FromLayers(golden.Weights);
        int layers = TNetwork.Spec.Layers.Count;
        foreach (CheckpointSchedule schedule in new[] { CheckpointSchedule.StoreAll(layers), CheckpointSchedule.Sqrt(layers), CheckpointSchedule.Revolve(layers, 2) })
        {
            var session = new CheckpointSession<TNetwork>(weights, golden.Batch, schedule);
            float[] dx = new float[golden.Input.Length];
            var gradients = new LayerGradients(TNetwork.Spec);
            session.Backward(golden.Input, dx, golden.Batch, golden.OutputGradient, gradients);
            AssertClose(golden.InputGradient, dx, $"{file} {schedule}: dX");
            for (int i = 0; i < layers; i++)
            {
                AssertClose(golden.WeightGradients[i], gradients.Weight(i).ToArray(), $"{file} {schedule}: dW{i}");
                AssertClose(golden.BiasGradients[i], gradients.Bias(i).ToArray(), $"{file} {schedule}: db{i}");
            }
        }
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = (2e-5 * Math.Max(scale, 1e-3)) + (1e-4 * Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{what}[{i}]: {actual[i]:R}, autograd {expected[i]:R}");
        }
    }

    /// <summary>One golden file.</summary>
    internal sealed class Golden
    {
        public required NetworkSpec Spec { get; init; }

        public required IReadOnlyList<DenseLayerWeights> Weights { get; init; }

        public required int Batch { get; init; }

        public required float[] Input { get; init; }

        public required float[] OutputGradient { get; init; }

        public required double[] Output { get; init; }

        public required double[] InputGradient { get; init; }

        public required double[][] WeightGradients { get; init; }

        public required double[][] BiasGradients { get; init; }

        public static Golden Load(string file)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", file)));
            JsonElement root = doc.RootElement;
            var layers = root.GetProperty("layers").EnumerateArray().Select((l, i) =>
            {
                Assert.True(ActivationInfo.TryParse(l.GetProperty("activation").GetString()!, out Activation activation));
                return new DenseLayerSpec($"layer{i}", l.GetProperty("inputs").GetInt32(), l.GetProperty("outputs").GetInt32(), activation, activation == Activation.LeakyRelu ? 0.1f : null);
            }).ToList();
            float[][] weights = Floats2(root.GetProperty("weights"));
            float[][] biases = Floats2(root.GetProperty("biases"));
            return new Golden
            {
                Spec = new NetworkSpec(root.GetProperty("name").GetString()!, layers),
                Weights = weights.Select((w, i) => new DenseLayerWeights(w, biases[i], WeightLayout.InputsByOutputs)).ToList(),
                Batch = root.GetProperty("batch").GetInt32(),
                Input = Floats(root.GetProperty("input")),
                OutputGradient = Floats(root.GetProperty("outputGradient")),
                Output = Doubles(root.GetProperty("output")),
                InputGradient = Doubles(root.GetProperty("inputGradient")),
                WeightGradients = root.GetProperty("weightGradients").EnumerateArray().Select(Doubles).ToArray(),
                BiasGradients = root.GetProperty("biasGradients").EnumerateArray().Select(Doubles).ToArray(),
            };
        }

        private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

        private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

        private static float[][] Floats2(JsonElement e) => e.EnumerateArray().Select(Floats).ToArray();
    }
}
