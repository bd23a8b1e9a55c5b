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
public sealed class CheckpointSessionTests
{
    private static readonly KernelPath[] Paths = [KernelPath.Auto, KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];

    public static TheoryData<string> Networks() => new(nameof(SingleLayer), nameof(Uneven), nameof(Transcendental), nameof(Narrow13), nameof(Narrow40));

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_schedule_path_and_batch_gives_the_reference_bits_and_its_predicted_figures(string network) =>
        GeneratedKernels.Invoke(typeof(CheckpointSessionTests), nameof(MatchesReference), network);

    [Fact]
    public void A_deep_wide_network_matches_store_all_bitwise()
    {
        var harness = new NetworkHarness<Deep32>(seed: 5);
        float[] input = TestData.Random(3 * 256, seed: 6);
        BackwardResult expected = new ReferenceNetwork(Deep32.Spec, harness.Layers).Backward(input, 3);
        foreach (CheckpointSchedule schedule in new[] { CheckpointSchedule.StoreAll(32), CheckpointSchedule.Sqrt(32), CheckpointSchedule.Revolve(32, 4) })
        {
            var session = new CheckpointSession<Deep32>(harness.Weights, 3, schedule);
            float[] dx = new float[input.Length];
            var gradients = new LayerGradients(Deep32.Spec);
            BackwardStatistics measured = session.Backward(input, dx, 3, default, gradients);
            Bits.Equal(expected.InputGradient, dx, $"Deep32 {schedule} dX");
            Bits.Equal(expected.WeightGradients[0], gradients.Weight(0), $"Deep32 {schedule} dW0");
            Assert.Equal(session.Predict(3), measured);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Probes_recompute_every_layer_from_the_nearest_checkpoint_with_the_reference_bits(string network) =>
        GeneratedKernels.Invoke(typeof(CheckpointSessionTests), nameof(ProbesMatchReference), network);

    [Fact]
    public void Probes_before_a_checkpointed_forward_are_an_error()
    {
        var harness = new NetworkHarness<Uneven>(seed: 2);
        var session = new CheckpointSession<Uneven>(harness.Weights, 4, CheckpointSchedule.Sqrt(5));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => session.GetActivation(1, new float[19]));
        Assert.Contains("Run ForwardWithCheckpoints first", e.Message, StringComparison.Ordinal);
        session.ForwardWithCheckpoints(new float[37], new float[3], 1);
        Assert.Equal(0, session.GetActivation(1, new float[19])); // sqrt(5) keeps states 2 and 4: layer 1's output is one
        Assert.Equal(1, session.GetActivation(2, new float[50]));
        session.Backward(new float[37], new float[37], 1);
        Assert.Throws<InvalidOperationException>(() => session.GetActivation(1, new float[19]));
    }

    [Fact]
    public void Calls_allocate_nothing()
    {
        var harness = new NetworkHarness<Narrow13>(seed: 2);
        var session = new CheckpointSession<Narrow13>(harness.Weights, 8, CheckpointSchedule.Revolve(13, 3));
        float[] input = TestData.Random(8 * Narrow13.Spec.InputSize, seed: 3);
        float[] dx = new float[input.Length];
        var gradients = new LayerGradients(Narrow13.Spec);
        float[] output = new float[8 * Narrow13.Spec.OutputSize];
        float[] probe = new float[8 * Narrow13.Spec.Layers[6].Outputs];
        float sum = 0;
        ActivationVisitor visitor = (layer, activation) => sum += activation[0];
        SteadyState.AssertAllocatesNothing(
            () =>
            {
                session.Backward(input, dx, 8, default, gradients);
                session.VisitActivationsInReverse(input, 8, visitor);
                session.ForwardWithCheckpoints(input, output, 8);
                session.GetActivation(6, probe);
            },
            callsPerWindow: 20);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        var harness = new NetworkHarness<Uneven>(seed: 2);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new CheckpointSession<Uneven>(harness.Weights, 4, CheckpointSchedule.StoreAll(7)));
        Assert.Contains("is for 7 layers; Uneven has 5", e.Message, StringComparison.Ordinal);
        var session = new CheckpointSession<Uneven>(harness.Weights, 4, CheckpointSchedule.StoreAll(5));
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

    private static void ProbesMatchReference<TNetwork>()
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var harness = new NetworkHarness<TNetwork>(seed: 77);
        foreach (int batch in new[] { 1, 6 })
        {
            float[] input = TestData.Random(batch * spec.InputSize, seed: (ulong)batch + 40, scale: 2f);
            float[][] expected = harness.Reference.ForwardAllLayers(input, batch);
            foreach (CheckpointSchedule schedule in Schedules(spec, batch))
            {
                var session = new CheckpointSession<TNetwork>(harness.Weights, 6, schedule);
                foreach (KernelPath path in new[] { KernelPath.Auto, KernelPath.Scalar, KernelPath.Vector128 })
                {
                    string context = $"{spec.Name} batch {batch} {schedule} {path}";

                    // Every layer's output, last to first, by the schedule, with its figures.
                    int next = spec.Layers.Count - 1;
                    BackwardStatistics visit = session.VisitActivationsInReverse(input, batch, (layer, activation) =>
                    {
                        Assert.Equal(next--, layer);
                        Bits.Equal(expected[layer], activation, $"{context} visit layer {layer}");
                    }, path);
                    Assert.Equal(-1, next);
                    Assert.Equal(schedule.Advances, visit.Advances);
                    Assert.Equal(schedule.ReverseForwards, visit.ReverseForwards);

                    // A checkpointed forward, then every layer's output recomputed from the nearest checkpoint.
                    float[] output = new float[batch * spec.OutputSize];
                    Assert.Equal(spec.Layers.Count, session.ForwardWithCheckpoints(input, output, batch, path));
                    Bits.Equal(expected[^1], output, context + " output");
                    int[] stored = [.. schedule.Actions.TakeWhile(a => a.Kind != CheckpointActionKind.Reverse).Where(a => a.Kind == CheckpointActionKind.Store).Select(a => a.State)];
                    for (int layer = 0; layer < spec.Layers.Count; layer++)
                    {
                        float[] activation = new float[batch * spec.Layers[layer].Outputs];
                        int evaluations = session.GetActivation(layer, activation, path);
                        Bits.Equal(expected[layer], activation, $"{context} probe {layer}");
                        int nearest = stored.Where(s => s <= layer + 1).DefaultIfEmpty(0).Max();
                        Assert.Equal(layer + 1 - nearest, evaluations);
                    }
                }
            }
        }
    }

    private static void MatchesReference<TNetwork>()
        where TNetwork : IDifferentiableNetwork<TNetwork>
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
                var session = new CheckpointSession<TNetwork>(harness.Weights, 13, schedule);
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
