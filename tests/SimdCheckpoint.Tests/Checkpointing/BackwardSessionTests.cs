using System;
using System.Collections.Generic;
using System.Linq;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Checkpointing;

/// <summary>
/// The checkpointed backward pass: for every schedule, path and batch, dX, dW and db have exactly the bits of the
/// store-all reference, and what a call measures (peak activation bytes, advances, reverse-step forwards) equals the
/// schedule's prediction.
/// </summary>
public sealed class BackwardSessionTests
{
    private static readonly KernelPath[] Paths = [KernelPath.Auto, KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];

    public static TheoryData<string> Networks() => new(nameof(SingleLayer), nameof(Uneven), nameof(Transcendental), nameof(Narrow13), nameof(Narrow40));

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_schedule_path_and_batch_gives_the_reference_bits_and_its_predicted_figures(string network) =>
        GeneratedKernels.Invoke(typeof(BackwardSessionTests), nameof(MatchesReference), network);

    [Fact]
    public void A_deep_wide_network_matches_store_all_bitwise()
    {
        var harness = new NetworkHarness<Deep32>(seed: 5);
        float[] input = TestData.Random(3 * 256, seed: 6);
        BackwardResult expected = new ReferenceNetwork(Deep32.Spec, harness.Layers).Backward(input, 3);
        foreach (CheckpointSchedule schedule in new[] { CheckpointSchedule.StoreAll(32), CheckpointSchedule.Sqrt(32), CheckpointSchedule.Revolve(32, 4) })
        {
            var session = new BackwardSession<Deep32>(harness.Weights, 3, schedule);
            float[] dx = new float[input.Length];
            var gradients = new LayerGradients(Deep32.Spec);
            BackwardStatistics measured = session.Backward(input, dx, 3, default, gradients);
            Bits.Equal(expected.InputGradient, dx, $"Deep32 {schedule} dX");
            Bits.Equal(expected.WeightGradients[0], gradients.Weight(0), $"Deep32 {schedule} dW0");
            Assert.Equal(session.Predict(3), measured);
        }
    }

    [Fact]
    public void Calls_allocate_nothing()
    {
        var harness = new NetworkHarness<Narrow13>(seed: 2);
        var session = new BackwardSession<Narrow13>(harness.Weights, 8, CheckpointSchedule.Revolve(13, 3));
        float[] input = TestData.Random(8 * Narrow13.Spec.InputSize, seed: 3);
        float[] dx = new float[input.Length];
        var gradients = new LayerGradients(Narrow13.Spec);
        session.Backward(input, dx, 8, default, gradients);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            session.Backward(input, dx, 8, default, gradients);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        var harness = new NetworkHarness<Uneven>(seed: 2);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new BackwardSession<Uneven>(harness.Weights, 4, CheckpointSchedule.StoreAll(7)));
        Assert.Contains("is for 7 layers; Uneven has 5", e.Message, StringComparison.Ordinal);
        var session = new BackwardSession<Uneven>(harness.Weights, 4, CheckpointSchedule.StoreAll(5));
        e = Assert.Throws<ArgumentException>(() => session.Backward(new float[5 * 37], new float[5 * 37], 5));
        Assert.Contains("between 1 and the session's MaxBatch, 4", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => session.Backward(new float[2 * 37], new float[37], 2));
        Assert.Contains("must hold batch × 37 = 74 floats", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => session.Backward(new float[2 * 37], new float[2 * 37], 2, new float[5]));
        Assert.Contains("output gradient must hold batch × 3 = 6", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => session.Backward(new float[37], new float[37], 1, default, new LayerGradients(Narrow13.Spec)));
        Assert.Contains("made for Narrow13", e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<CheckpointSchedule> Schedules(NetworkSpec spec, int batch)
    {
        int l = spec.Layers.Count;
        yield return CheckpointSchedule.StoreAll(l);
        yield return CheckpointSchedule.Sqrt(l);
        yield return CheckpointSchedule.Uniform(l, 2);
        yield return CheckpointSchedule.Uniform(l, 5);
        foreach (int slots in new[] { 1, 2, 3, 6 })
        {
            yield return CheckpointSchedule.Revolve(l, slots);
        }

        long[] sizes = [.. Enumerable.Range(0, l + 1).Select(i => (long)batch * (i == 0 ? spec.InputSize : spec.Layers[i - 1].Outputs) * sizeof(float))];
        long total = sizes.Sum();
        foreach (long budget in new[] { 0L, total / 8, total / 3, total })
        {
            yield return CheckpointSchedule.ForMemoryBudget(sizes, budget);
        }
    }

    private static void MatchesReference<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var harness = new NetworkHarness<TNetwork>(seed: (ulong)spec.Layers.Count * 13);
        var reference = new ReferenceNetwork(spec, harness.Layers);
        foreach (int batch in new[] { 1, 5, 13 })
        {
            float[] input = TestData.Random(batch * spec.InputSize, seed: (ulong)batch, scale: 2f);
            float[] dy = TestData.Random(batch * spec.OutputSize, seed: (ulong)batch + 1);
            BackwardResult expected = reference.Backward(input, batch, dy);
            foreach (CheckpointSchedule schedule in Schedules(spec, batch))
            {
                var session = new BackwardSession<TNetwork>(harness.Weights, 13, schedule);
                foreach (KernelPath path in Paths)
                {
                    string context = $"{spec.Name} batch {batch} {schedule} {path}";
                    float[] dx = new float[input.Length];
                    var gradients = new LayerGradients(spec);
                    BackwardStatistics measured = session.Backward(input, dx, batch, dy, gradients, path);
                    Bits.Equal(expected.InputGradient, dx, context + " dX");
                    for (int i = 0; i < spec.Layers.Count; i++)
                    {
                        Bits.Equal(expected.WeightGradients[i], gradients.Weight(i), $"{context} dW{i}");
                        Bits.Equal(expected.BiasGradients[i], gradients.Bias(i), $"{context} db{i}");
                    }

                    Assert.Equal(session.Predict(batch), measured);
                    Assert.Equal(schedule.Advances, measured.Advances);
                }
            }
        }
    }
}
