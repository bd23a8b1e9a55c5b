using System;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>A session with helper threads splits the batch by rows and gives exactly one thread's bits, without allocating.</summary>
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

    [Fact]
    public void Threaded_calls_allocate_nothing()
    {
        var harness = new NetworkHarness<Deep32>(seed: 3);
        using var session = new InferenceSession<Deep32>(harness.Weights, 64, threads: 2);
        float[] input = TestData.Random(64 * 256, seed: 4);
        float[] output = new float[64 * 10];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => session.Forward(input, output, 64), callsPerWindow: 20));
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
