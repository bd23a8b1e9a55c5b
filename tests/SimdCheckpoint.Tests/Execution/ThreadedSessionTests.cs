using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>
/// A session with helper threads splits each call by rows or by column panels and gives exactly one thread's bits, without
/// allocating; the panels of one layer (RunLayer over panel ranges) give the full layer's bits column for column.
/// </summary>
public sealed class ThreadedSessionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_batch_gives_the_bits_of_one_thread(int threads)
    {
        var harness = new NetworkHarness<Transcendental>(seed: 11);
        using var single = new InferenceSession<Transcendental>(harness.Weights, 67);
        using var threaded = new InferenceSession<Transcendental>(harness.Weights, 67, threads);
        Assert.Equal(threads, threaded.Threads);
        foreach (KernelPath path in new[] { KernelPath.Auto, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            foreach (int batch in new[] { 1, 7, 8, 9, 12, 13, 31, 64, 67 })
            {
                float[] input = TestData.Random(batch * Transcendental.Spec.InputSize, seed: (ulong)batch);
                float[] expected = new float[batch * Transcendental.Spec.OutputSize];
                float[] actual = new float[expected.Length];
                single.Forward(input, expected, batch, path);
                threaded.Forward(input, actual, batch, path);
                Bits.Equal(expected, actual, $"{threads} threads, batch {batch}, {path}");
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_maximum_batch_split_by_rows_gives_the_bits_of_one_thread(int threads)
    {
        // A small batch takes fewer threads, in larger blocks than maxBatch / threads (batch 8 of 4 threads: two blocks
        // of 4): each helper's buffers must hold the largest block the call can hand it, whatever the session's maximum.
        var harness = new NetworkHarness<Uneven>(seed: 13);
        using var single = new InferenceSession<Uneven>(harness.Weights, 40);
        for (int maxBatch = 1; maxBatch <= 40; maxBatch++)
        {
            using var threaded = new InferenceSession<Uneven>(harness.Weights, maxBatch, threads, ThreadSplit.Rows);
            for (int batch = 1; batch <= maxBatch; batch++)
            {
                float[] input = TestData.Random(batch * 37, seed: (ulong)((maxBatch * 100) + batch));
                float[] expected = new float[batch * 3];
                float[] actual = new float[batch * 3];
                single.Forward(input, expected, batch);
                threaded.Forward(input, actual, batch);
                Bits.Equal(expected, actual, $"{threads} threads, maxBatch {maxBatch}, batch {batch}");
            }
        }
    }

    private static readonly int[] Batches = { 1, 2, 3, 5, 7, 8, 13, 64, 67 };

    /// <summary>Every path: Vector512 only where it is accelerated (emulated it is correct but slow, and KernelConformanceTests covers it).</summary>
    private static KernelPath[] Paths() => Vector512.IsHardwareAccelerated
        ? new[] { KernelPath.Auto, KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar }
        : new[] { KernelPath.Auto, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar };

    [Theory]
    [InlineData(2, ThreadSplit.Panels)]
    [InlineData(3, ThreadSplit.Panels)]
    [InlineData(4, ThreadSplit.Panels)]
    [InlineData(2, ThreadSplit.Rows)]
    [InlineData(3, ThreadSplit.Auto)]
    public void Every_split_gives_the_bits_of_one_thread(int threads, ThreadSplit split)
    {
        SameBitsAsOneThread<PanelMix>(threads, split);
        SameBitsAsOneThread<Transcendental>(threads, split);
        SameBitsAsOneThread<Uneven>(threads, split);
    }

    [Fact]
    public void A_one_panel_network_split_by_panels_among_four_threads_gives_the_bits_of_one_thread() =>
        SameBitsAsOneThread<SingleLayer>(4, ThreadSplit.Panels);

    private static void SameBitsAsOneThread<TNetwork>(int threads, ThreadSplit split)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 17);
        NetworkSpec spec = TNetwork.Spec;
        using var single = new InferenceSession<TNetwork>(harness.Weights, 67);
        using var threaded = new InferenceSession<TNetwork>(harness.Weights, 67, threads, split);
        Assert.Equal(split, threaded.Split);
        foreach (KernelPath path in Paths())
        {
            foreach (int batch in Batches)
            {
                float[] input = TestData.Random(batch * spec.InputSize, seed: (ulong)batch + 100);
                float[] expected = new float[batch * spec.OutputSize];
                float[] actual = new float[expected.Length];
                single.Forward(input, expected, batch, path);
                threaded.Forward(input, actual, batch, path);
                Bits.Equal(expected, actual, $"{spec.Name}, {threads} threads split by {split} ({threaded.SplitFor(batch)}), batch {batch}, {path}");
            }
        }
    }

    [Fact]
    public void Layer_panels_give_the_full_layers_bits_for_every_range()
    {
        LayerPanelsMatchTheLayer<PanelMix>();
        LayerPanelsMatchTheLayer<Transcendental>();
        LayerPanelsMatchTheLayer<Uneven>();
        LayerPanelsMatchTheLayer<LongKPanels>();
    }

    private static void LayerPanelsMatchTheLayer<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 23);
        NetworkSpec spec = TNetwork.Spec;
        ReadOnlySpan<float> packed = harness.Weights.Packed;
        foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            for (int layer = 0; layer < spec.Layers.Count; layer++)
            {
                DenseLayerSpec l = spec.Layers[layer];
                int panels = GeneratedKernels.Packed<TNetwork>().Layers[layer].Panels;
                int width = GeneratedKernels.Packed<TNetwork>().Layers[layer].PanelWidth;
                Assert.Equal((l.Outputs + width - 1) / width, panels);
                foreach (int batch in new[] { 1, 5, 13 })
                {
                    float[] input = TestData.Random(batch * l.Inputs, seed: (ulong)(layer * 100 + batch));
                    float[] full = new float[batch * l.Outputs];
                    GeneratedKernels.ForwardLayer<TNetwork>(path, layer, packed, input, full, batch);
                    if (l.Activation == Activation.Softmax)
                    {
                        float[] whole = Sentinels(full.Length);
                        GeneratedKernels.LayerPanels<TNetwork>(path, layer, packed, input, whole, batch, 0, panels);
                        Bits.Equal(full, whole, $"{spec.Name} softmax layer {layer}, all {panels} panels, batch {batch}, {path}");
                        continue;
                    }

                    for (int first = 0; first <= panels; first++)
                    {
                        for (int count = 0; first + count <= panels; count++)
                        {
                            float[] actual = Sentinels(full.Length);
                            GeneratedKernels.LayerPanels<TNetwork>(path, layer, packed, input, actual, batch, first, count);
                            int from = Math.Min(first * width, l.Outputs);
                            int to = Math.Min((first + count) * width, l.Outputs);
                            float[] expected = Sentinels(full.Length);
                            for (int m = 0; m < batch; m++)
                            {
                                Array.Copy(full, (m * l.Outputs) + from, expected, (m * l.Outputs) + from, Math.Max(0, to - from));
                            }

                            Bits.Equal(expected, actual, $"{spec.Name} layer {layer}, panels ({first}, {count}) of {panels}, batch {batch}, {path}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Layer_panel_ranges_outside_the_layer_are_rejected_and_write_nothing()
    {
        var harness = new NetworkHarness<PanelMix>(seed: 29);
        const int batch = 3;
        int panels = Panels<PanelMix>(0);
        Assert.Equal(7, panels);
        float[] input = TestData.Random(batch * 40, seed: 30);
        float[] weights = harness.Weights.Packed.ToArray();
        foreach (KernelPath path in Paths())
        {
            foreach ((int first, int count) in new[] { (-1, 1), (0, -1), (0, 8), (7, 1), (8, 0), (6, 2), (3, int.MaxValue) })
            {
                float[] output = Sentinels(batch * 100);
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => LayerPanels<PanelMix>(path, 0, weights, input, output, batch, first, count));
                Assert.Contains("outside the 7 panel(s) of the 40 -> 100 kernel", e.Message, StringComparison.Ordinal);
                Bits.Equal(Sentinels(output.Length), output, $"nothing written for ({first}, {count}), {path}");
            }

            // The softmax layer takes its whole range only.
            int softmaxPanels = Panels<PanelMix>(3);
            float[] softInput = TestData.Random(batch * 32, seed: 31);
            float[] softOutput = Sentinels(batch * 5);
            var partial = Assert.Throws<ArgumentException>(() => LayerPanels<PanelMix>(path, 3, weights, softInput, softOutput, batch, 0, 0));
            Assert.Contains("softmax", partial.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => LayerPanels<PanelMix>(path, 3, weights, softInput, softOutput, batch, 0, softmaxPanels + 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => LayerPanels<PanelMix>(path, 4, weights, softInput, softOutput, batch, 0, 1));
            Bits.Equal(Sentinels(softOutput.Length), softOutput, $"nothing written by the softmax layer's rejected ranges, {path}");
        }
    }

    [Fact]
    public void The_automatic_split_follows_its_rule()
    {
        var small = new NetworkHarness<Deep32>(seed: 3);
        using (var one = new InferenceSession<Deep32>(small.Weights, 64))
        {
            Assert.Equal(ThreadSplit.Rows, one.SplitFor(1));
        }

        using var auto = new InferenceSession<Deep32>(small.Weights, 64, threads: 2);
        Assert.Equal(ThreadSplit.Auto, auto.Split);
        Assert.True(small.Weights.PackedBytes <= InferenceSession<Deep32>.PanelSplitWeightBytes, "deep32's weights are below the threshold");
        for (int batch = 1; batch <= 64; batch++)
        {
            Assert.Equal(batch < 2 * InferenceSession<Deep32>.MinRowsPerThread ? ThreadSplit.Panels : ThreadSplit.Rows, auto.SplitFor(batch));
        }

        using var rows = new InferenceSession<Deep32>(small.Weights, 64, threads: 2, ThreadSplit.Rows);
        using var panels = new InferenceSession<Deep32>(small.Weights, 64, threads: 2, ThreadSplit.Panels);
        Assert.Equal(ThreadSplit.Rows, rows.SplitFor(1));
        Assert.Equal(ThreadSplit.Panels, panels.SplitFor(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession<Deep32>(small.Weights, 64, threads: 2, (ThreadSplit)3));
    }

    [Theory]
    [InlineData(64, ThreadSplit.Panels)]
    [InlineData(1, ThreadSplit.Auto)]
    [InlineData(3, ThreadSplit.Panels)]
    public void Calls_split_by_panels_allocate_nothing(int batch, ThreadSplit split)
    {
        var harness = new NetworkHarness<Deep32>(seed: 3);
        using var session = new InferenceSession<Deep32>(harness.Weights, 64, threads: 2, split);
        Assert.Equal(ThreadSplit.Panels, session.SplitFor(batch));
        float[] input = TestData.Random(batch * 256, seed: 4);
        float[] output = new float[batch * 10];
        SteadyState.AssertAllocatesNothing(() => session.Forward(input, output, batch), callsPerWindow: 20);
    }

    [Fact]
    public void A_panel_split_session_that_slept_between_calls_still_gives_the_bits_of_one_thread()
    {
        var harness = new NetworkHarness<PanelMix>(seed: 5);
        float[] input = TestData.Random(16 * PanelMix.Spec.InputSize, seed: 6);
        float[] expected = new float[16 * PanelMix.Spec.OutputSize];
        using (var single = new InferenceSession<PanelMix>(harness.Weights, 16))
        {
            single.Forward(input, expected, 16);
        }

        using var session = new InferenceSession<PanelMix>(harness.Weights, 16, threads: 3, ThreadSplit.Panels);
        float[] actual = new float[expected.Length];
        session.Forward(input, actual, 16);
        System.Threading.Thread.Sleep(50); // long enough for the helpers to stop spinning and sleep
        session.Forward(input, actual, 16);
        Bits.Equal(expected, actual, "after the helpers slept");
    }

    private static void LayerPanels<TNetwork>(KernelPath path, int layer, float[] packed, float[] input, float[] output, int batch, int firstPanel, int panelCount)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        GeneratedKernels.LayerPanels<TNetwork>(path, layer, packed, input, output, batch, firstPanel, panelCount);

    private static int Panels<TNetwork>(int layer)
        where TNetwork : IGeneratedNetwork<TNetwork> => GeneratedKernels.Packed<TNetwork>().Layers[layer].Panels;

    private static float[] Sentinels(int length)
    {
        float[] values = new float[length];
        values.AsSpan().Fill(-12345.5f);
        return values;
    }

    [Fact]
    public void Threaded_calls_allocate_nothing()
    {
        var harness = new NetworkHarness<Deep32>(seed: 3);
        using var session = new InferenceSession<Deep32>(harness.Weights, 64, threads: 2);
        float[] input = TestData.Random(64 * 256, seed: 4);
        float[] output = new float[64 * 10];
        SteadyState.AssertAllocatesNothing(() => session.Forward(input, output, 64), callsPerWindow: 20);
    }

    [Fact]
    public void A_disposed_or_idle_session_stops_and_restarts_cleanly()
    {
        var harness = new NetworkHarness<Uneven>(seed: 5);
        float[] input = TestData.Random(16 * Uneven.Spec.InputSize, seed: 6);
        float[] expected = new float[16 * Uneven.Spec.OutputSize];
        new InferenceSession<Uneven>(harness.Weights, 16).Forward(input, expected, 16);
        var session = new InferenceSession<Uneven>(harness.Weights, 16, threads: 2);
        float[] actual = new float[expected.Length];
        session.Forward(input, actual, 16);
        System.Threading.Thread.Sleep(50); // long enough for the helper to stop spinning and sleep
        session.Forward(input, actual, 16);
        Bits.Equal(expected, actual, "after the helper slept");
        session.Dispose();
        session.Dispose();
    }

    [Fact]
    public void Thread_counts_outside_1_to_64_are_rejected()
    {
        var harness = new NetworkHarness<Uneven>(seed: 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession<Uneven>(harness.Weights, 16, threads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession<Uneven>(harness.Weights, 16, threads: 65));
    }
}
