using System;
using System.Threading.Tasks;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>Whole networks through the session: every path gives the reference bits, at every batch size.</summary>
public sealed class NetworkForwardTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string network in new[] { nameof(MnistMlp), nameof(Deep32), nameof(Uneven), nameof(MnistFromJson), nameof(SingleLayer), nameof(Transcendental) })
        {
            foreach (int batch in new[] { 1, 3, 6, 7, 11, 13, 64, 67 })
            {
                data.Add(network, batch);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_path_matches_the_reference_bitwise(string network, int batch) =>
        GeneratedKernels.Invoke(typeof(NetworkForwardTests), nameof(AllPathsMatch), network, batch);

    [Fact]
    public void Json_and_attribute_declarations_give_the_same_spec_and_the_same_bits()
    {
        Assert.Equal(MnistMlp.Spec, MnistFromJson.Spec);
        var a = new NetworkHarness<MnistMlp>(seed: 3);
        var b = NetworkWeights<MnistFromJson>.FromLayers(a.Layers);
        float[] input = TestData.Random(9 * 784, seed: 4);
        float[] expected = a.Forward(input, 9, KernelPath.Auto);
        float[] actual = new float[9 * 10];
        new InferenceSession<MnistFromJson>(b, 9).Forward(input, actual, 9);
        Bits.Equal(expected, actual, "MnistFromJson vs MnistMlp");
    }

    [Fact]
    public void Weights_given_in_either_layout_give_the_same_bits()
    {
        var kn = new NetworkHarness<Uneven>(seed: 8, layout: WeightLayout.InputsByOutputs);
        var nk = new NetworkHarness<Uneven>(seed: 8, layout: WeightLayout.OutputsByInputs);
        Assert.Equal(kn.Weights.Packed.Length, nk.Weights.Packed.Length);

        // Same seeded numbers, read as [K,N] or as [N,K]: different matrices, each matching its own reference.
        float[] input = TestData.Random(5 * 37, seed: 9);
        Bits.Equal(kn.ReferenceForward(input, 5), kn.Forward(input, 5, KernelPath.Auto), "[K,N]");
        Bits.Equal(nk.ReferenceForward(input, 5), nk.Forward(input, 5, KernelPath.Auto), "[N,K]");
    }

    [Fact]
    public void A_transposed_copy_packs_to_the_same_buffer()
    {
        var kn = new NetworkHarness<Uneven>(seed: 21);
        var transposed = new DenseLayerWeights[kn.Layers.Count];
        for (int l = 0; l < transposed.Length; l++)
        {
            DenseLayerSpec layer = Uneven.Spec.Layers[l];
            float[] t = new float[layer.Inputs * layer.Outputs];
            for (int k = 0; k < layer.Inputs; k++)
            {
                for (int n = 0; n < layer.Outputs; n++)
                {
                    t[(n * layer.Inputs) + k] = kn.Layers[l].Weight[(k * layer.Outputs) + n];
                }
            }

            transposed[l] = new DenseLayerWeights(t, kn.Layers[l].Bias, WeightLayout.OutputsByInputs);
        }

        var nk = NetworkWeights<Uneven>.FromLayers(transposed);
        Assert.True(kn.Weights.Packed.SequenceEqual(nk.Packed));
    }

    [Fact]
    public void Sessions_on_several_threads_share_weights_and_give_identical_bits()
    {
        var harness = new NetworkHarness<MnistMlp>(seed: 11);
        const int threads = 4;
        const int rounds = 25;
        float[][] inputs = new float[rounds][];
        float[][] expected = new float[rounds][];
        var single = new InferenceSession<MnistMlp>(harness.Weights, 8);
        for (int r = 0; r < rounds; r++)
        {
            inputs[r] = TestData.Random(8 * 784, seed: 100 + (ulong)r);
            expected[r] = new float[8 * 10];
            single.Forward(inputs[r], expected[r], 8);
        }

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var session = new InferenceSession<MnistMlp>(harness.Weights, 8);
            float[] output = new float[8 * 10];
            for (int i = 0; i < rounds * 4; i++)
            {
                int r = (i + (t * 7)) % rounds;
                session.Forward(inputs[r], output, 8);
                Bits.Equal(expected[r], output, $"thread {t} round {r}");
            }
        });
    }

    [Fact]
    public void Repeated_calls_give_identical_bits_and_smaller_batches_reuse_the_session()
    {
        var harness = new NetworkHarness<Deep32>(seed: 12);
        var session = new InferenceSession<Deep32>(harness.Weights, 64);
        float[] input = TestData.Random(64 * 256, seed: 13);
        float[] first = new float[64 * 10];
        float[] again = new float[64 * 10];
        session.Forward(input, first, 64);
        session.Forward(input, again, 64);
        Bits.Equal(first, again, "repeat");

        // The first 5 rows alone must equal the first 5 rows of the batch of 64: rows never interact.
        float[] five = new float[5 * 10];
        session.Forward(input.AsSpan(0, 5 * 256), five, 5);
        Bits.Equal(first.AsSpan(0, 50), five, "batch 5 vs batch 64");
    }

    [Fact]
    public void Layer_by_layer_execution_matches_every_reference_activation()
    {
        var harness = new NetworkHarness<Uneven>(seed: 31);
        const int batch = 13;
        float[] input = TestData.Random(batch * 37, seed: 32);
        float[][] expected = harness.Reference.ForwardAllLayers(input, batch);
        foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            float[] x = input;
            for (int layer = 0; layer < Uneven.Spec.Layers.Count; layer++)
            {
                float[] y = new float[batch * Uneven.Spec.Layers[layer].Outputs];
                ForwardLayer<Uneven>(path, layer, harness.Weights, x, y, batch);
                Bits.Equal(expected[layer], y, $"{path} layer {layer}");
                x = y;
            }
        }
    }

    [Fact]
    public void Layer_by_layer_execution_checks_its_arguments()
    {
        var harness = new NetworkHarness<Uneven>(seed: 31);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardLayer<Uneven>(KernelPath.Auto, 5, harness.Weights, new float[37], new float[3], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardLayer<Uneven>(KernelPath.Auto, -1, harness.Weights, new float[37], new float[50], 1));
        Assert.Throws<ArgumentException>(() => ForwardLayer<Uneven>(KernelPath.Auto, 0, harness.Weights, new float[36], new float[50], 1));
        Assert.Throws<ArgumentException>(() => ForwardLayer<Uneven>(KernelPath.Auto, 1, harness.Weights, new float[50], new float[20], 1));
        Assert.Throws<NotSupportedException>(() => ForwardLayer<Uneven>((KernelPath)77, 1, harness.Weights, new float[50], new float[19], 1));
    }

    private static void ForwardLayer<TNetwork>(KernelPath path, int layer, NetworkWeights<TNetwork> weights, ReadOnlySpan<float> input, Span<float> output, int batch)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        // The public per-layer entry point, with its exact-length checks.
        using var session = new InferenceSession<TNetwork>(weights, Math.Max(batch, 1));
        session.ForwardLayer(layer, input, output, batch, path);
    }

    private static void AllPathsMatch<TNetwork>(int batch)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 2024);
        float[] input = TestData.Random(batch * TNetwork.Spec.InputSize, seed: (ulong)batch);
        float[] expected = harness.ReferenceForward(input, batch);
        foreach (KernelPath path in new[] { KernelPath.Auto, KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            Bits.Equal(expected, harness.Forward(input, batch, path, maxBatch: 67), $"{TNetwork.Spec.Name} batch {batch} {path}");
        }
    }
}
