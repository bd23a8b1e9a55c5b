using System;
using System.Threading;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>
/// A failure inside a call that helper threads share, whether the helper's share or the caller's fails, by rows or by
/// panels, reaches the caller as an exception instead of a hang, and leaves the session usable: the next call gives
/// one thread's bits. The failures are injected by <see cref="Faulty"/>, which runs PanelMix's generated kernels.
/// </summary>
public sealed class HelperFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(ThreadSplit.Panels, 2, 1)]
    [InlineData(ThreadSplit.Panels, 2, 64)]
    [InlineData(ThreadSplit.Panels, 3, 7)]
    [InlineData(ThreadSplit.Rows, 2, 64)]
    [InlineData(ThreadSplit.Rows, 4, 67)]
    public void A_helper_that_fails_is_reported_to_the_caller_and_the_session_still_works(ThreadSplit split, int threads, int batch) =>
        FailOnceThenRunAgain(split, threads, batch, onCaller: false, layer: 1, (error, caller) =>
        {
            var wrapped = Assert.IsType<InvalidOperationException>(error);
            Assert.Contains("helper thread", wrapped.Message, StringComparison.Ordinal);
            var injected = Assert.IsType<InjectedException>(wrapped.InnerException);
            Assert.NotEqual(caller, injected.Thread);
        });

    [Theory]
    [InlineData(ThreadSplit.Panels, 2, 1)]
    [InlineData(ThreadSplit.Panels, 4, 13)]
    [InlineData(ThreadSplit.Rows, 2, 64)]
    public void The_callers_own_failure_is_rethrown_as_it_is_after_the_helpers_finish(ThreadSplit split, int threads, int batch) =>
        FailOnceThenRunAgain(split, threads, batch, onCaller: true, layer: 0, (error, caller) =>
            Assert.Equal(caller, Assert.IsType<InjectedException>(error).Thread));

    /// <summary>
    /// One call of a <paramref name="threads"/>-thread session, forced to <paramref name="split"/>, with one failure armed
    /// in <paramref name="layer"/> on the caller's side or a helper's; <paramref name="check"/> gets what the call threw and
    /// the calling thread's ID. Then the failure is disarmed and the next call must give one thread's bits.
    /// </summary>
    private static void FailOnceThenRunAgain(ThreadSplit split, int threads, int batch, bool onCaller, int layer, Action<Exception, int> check)
    {
        var harness = new NetworkHarness<Faulty>(seed: 5);
        using var single = new InferenceSession<Faulty>(harness.Weights, 67);
        using var session = new InferenceSession<Faulty>(harness.Weights, 67, threads, split);
        Assert.Equal(split, session.SplitFor(batch));
        float[] input = TestData.Random(batch * Faulty.Spec.InputSize, seed: 3);
        float[] expected = new float[batch * Faulty.Spec.OutputSize];
        single.Forward(input, expected, batch);

        (Exception error, int caller) = Run(session, input, batch, onCaller, layer);
        check(error, caller);

        float[] actual = new float[expected.Length];
        Faulty.Heal();
        session.Forward(input, actual, batch);
        Bits.Equal(expected, actual, $"{split}, {threads} threads, batch {batch}, the call after a {(onCaller ? "caller" : "helper")} failed");
    }

    /// <summary>
    /// Runs one call, with the failure armed, on a thread of its own, so that a hang fails the test instead of the run;
    /// returns what the call threw and the calling thread's ID.
    /// </summary>
    private static (Exception Error, int Caller) Run(InferenceSession<Faulty> session, float[] input, int batch, bool onCaller, int layer)
    {
        float[] output = new float[batch * Faulty.Spec.OutputSize];
        Exception? error = null;
        int caller = 0;
        var call = new Thread(() =>
        {
            caller = Environment.CurrentManagedThreadId;
            Faulty.Fail(onCaller, layer);
            try
            {
                session.Forward(input, output, batch);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                Faulty.Heal();
            }
        });
        call.Start();
        Assert.True(call.Join(Patience), $"the call did not return within {Patience.TotalSeconds} s: a participant waits forever");
        Assert.NotNull(error);
        return (error!, caller);
    }
}

/// <summary>The failure <see cref="Faulty"/> injects, with the thread it was thrown on.</summary>
public sealed class InjectedException(int thread) : Exception($"injected on thread {thread}")
{
    public int Thread { get; } = thread;
}

/// <summary>
/// PanelMix's generated network, with one injected failure: when armed, the first kernel call of the chosen layer on the
/// chosen side (the calling thread or a helper) throws <see cref="InjectedException"/>.
/// </summary>
public sealed class Faulty : IGeneratedNetwork<Faulty>
{
    private static int _armed;
    private static int _callerThread;
    private static bool _onCaller;
    private static int _layer;

    public static NetworkSpec Spec => Inner<PanelMix>.Spec;

    public static int PanelWidth => Inner<PanelMix>.PanelWidth;

    public static KernelPath AutoPath => Inner<PanelMix>.AutoPath;

    /// <summary>
    /// Arms one failure in layer <paramref name="layer"/> (its first kernel call, in a whole-network forward pass or
    /// alone), on the thread that calls this if <paramref name="onCaller"/>, else on any other thread.
    /// </summary>
    public static void Fail(bool onCaller, int layer)
    {
        _onCaller = onCaller;
        _layer = layer;
        _callerThread = Environment.CurrentManagedThreadId;
        Volatile.Write(ref _armed, 1);
    }

    public static void Heal() => Volatile.Write(ref _armed, 0);

    public static void RunLayer(KernelPath path, int layer, ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int rows, int firstPanel, int panelCount)
    {
        Trip(layer);
        Inner<PanelMix>.RunLayer(path, layer, x, ldx, packed, y, ldy, rows, firstPanel, panelCount);
    }

    private static void Trip(int layer)
    {
        if (Volatile.Read(ref _armed) == 0 || layer != _layer)
        {
            return;
        }

        int thread = Environment.CurrentManagedThreadId;
        if ((thread == _callerThread) == _onCaller && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            throw new InjectedException(thread);
        }
    }

    /// <summary>Reaches a generated network's static members through its interface.</summary>
    private static class Inner<T>
        where T : IGeneratedNetwork<T>
    {
        public static NetworkSpec Spec => T.Spec;

        public static int PanelWidth => T.PanelWidth;

        public static KernelPath AutoPath => T.AutoPath;

        public static void RunLayer(KernelPath path, int layer, ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int rows, int firstPanel, int panelCount) =>
            T.RunLayer(path, layer, x, ldx, packed, y, ldy, rows, firstPanel, panelCount);
    }
}
