using System;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Kernels;

/// <summary>
/// The generated backward kernels over the conformance grid, bit for bit against the scalar reference: each
/// single-layer network's dX kernel (shape N → K on the transposed weights: every K edge becomes an N edge and the
/// other way round), its gradient kernel when the activation's derivative reads the pre-activation, and the run-time
/// dW and db, on every path, at batches that leave every row remainder, with a random upstream gradient.
/// </summary>
public sealed class BackwardConformanceTests
{
    private static readonly int[] Batches = [1, 2, 3, 5, 6, 7, 8, 11, 12, 13, 17, 25, 67];

    private static readonly KernelPath[] Paths = [KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar];

    public static TheoryData<string> Networks() => new(GeneratedKernels.ConformanceNetworks());

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_path_gives_the_reference_gradients_bitwise(string network) =>
        GeneratedKernels.Invoke(typeof(BackwardConformanceTests), nameof(MatchesReference), network, false);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Special_values_give_the_reference_gradient_bits(string network) =>
        GeneratedKernels.Invoke(typeof(BackwardConformanceTests), nameof(MatchesReference), network, true);

    [Fact]
    public void A_leaky_relu_with_a_negative_slope_takes_its_derivative_from_the_pre_activation()
    {
        // Its output does not keep the sign of z, so the generated gradient kernel recomputes z; the figures say so.
        var harness = new NetworkHarness<SimdCheckpoint.Tests.Networks.NegativeSlope>(seed: 8);
        float[] input = TestData.Random(7 * 9, seed: 9);
        float[] dy = TestData.Random(7 * 5, seed: 10);
        BackwardResult expected = harness.Reference.Backward(input, 7, dy);
        var session = new CheckpointSession<SimdCheckpoint.Tests.Networks.NegativeSlope>(harness.Weights, 7, CheckpointSchedule.StoreAll(2));
        foreach (KernelPath path in Paths)
        {
            float[] dx = new float[input.Length];
            var gradients = new LayerGradients(SimdCheckpoint.Tests.Networks.NegativeSlope.Spec);
            BackwardStatistics measured = session.Backward(input, dx, 7, dy, gradients, path);
            Bits.Equal(expected.InputGradient, dx, $"NegativeSlope {path} dX");
            Bits.Equal(expected.WeightGradients[0], gradients.Weight(0), $"NegativeSlope {path} dW0");
            // Layer 0 (slope -0.25) recomputes z in its gradient kernel although store-all keeps its output; layer 1
            // (slope 0.5) reads its output, which store-all does not keep (the last state), so it recomputes that.
            Assert.Equal(2, measured.ReverseForwards);
            Assert.Equal(session.Predict(7), measured);
        }
    }

    private static void MatchesReference<TNetwork>(bool special)
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var harness = new NetworkHarness<TNetwork>(seed: (ulong)spec.InputSize * 17 + (ulong)spec.OutputSize, specialWeights: special);
        var session = new CheckpointSession<TNetwork>(harness.Weights, 67, CheckpointSchedule.StoreAll(1));
        foreach (int batch in special ? [13] : Batches)
        {
            float[] input = special
                ? TestData.WithSpecialValues(batch * spec.InputSize, seed: 3)
                : TestData.Random(batch * spec.InputSize, seed: (ulong)batch + 1);
            float[] dy = TestData.Random(batch * spec.OutputSize, seed: (ulong)batch + 100);
            BackwardResult expected = harness.Reference.Backward(input, batch, dy);
            foreach (KernelPath path in Paths)
            {
                float[] dx = new float[input.Length];
                var gradients = new LayerGradients(spec);
                session.Backward(input, dx, batch, dy, gradients, path);
                string what = $"{spec.Name} batch {batch} {path}{(special ? " special values" : string.Empty)}";
                Bits.Equal(expected.InputGradient, dx, what + " dX");
                Bits.Equal(expected.WeightGradients[0], gradients.Weight(0), what + " dW");
                Bits.Equal(expected.BiasGradients[0], gradients.Bias(0), what + " db");
            }
        }
    }
}
