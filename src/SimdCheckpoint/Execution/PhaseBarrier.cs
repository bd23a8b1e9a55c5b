using System;
using System.Threading;

namespace SimdCheckpoint;

/// <summary>
/// A reusable barrier for a fixed set of participants that allocates nothing: the last to arrive opens the next phase; the
/// others poll for about 50 µs (layers of a back-to-back pass finish close together), then sleep on a semaphore of their
/// own, which the last arrival releases. The pattern of <see cref="RowWorkers{TNetwork}"/>' helpers.
/// </summary>
internal sealed class PhaseBarrier : IDisposable
{
    private const int SpinIterations = 2000;

    private readonly SemaphoreSlim[] _wake;
    private readonly int[] _sleeping;
    private int _arrived;
    private int _phase;

    public PhaseBarrier(int participants)
    {
        _wake = new SemaphoreSlim[participants];
        _sleeping = new int[participants];
        for (int i = 0; i < participants; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
        }
    }

    public int Participants => _wake.Length;

    /// <summary>Arrives as <paramref name="participant"/> and returns once every participant has arrived.</summary>
    public void SignalAndWait(int participant)
    {
        // The phase cannot move on before this participant arrives, so reading it first is safe.
        int phase = Volatile.Read(ref _phase);
        if (Interlocked.Increment(ref _arrived) == _wake.Length)
        {
            Volatile.Write(ref _arrived, 0);
            Interlocked.Increment(ref _phase); // a full fence: the reset above is visible before the phase opens
            for (int i = 0; i < _sleeping.Length; i++)
            {
                if (Volatile.Read(ref _sleeping[i]) == 1)
                {
                    _wake[i].Release();
                }
            }

            return;
        }

        int spins = 0;
        while (Volatile.Read(ref _phase) == phase)
        {
            if (spins++ < SpinIterations)
            {
                Thread.SpinWait(20);
                continue;
            }

            // A release that finds the flag set after this participant saw the new phase leaves a spare count; the
            // loop re-checks the phase, so a spare count costs one extra turn, never a missed wake-up.
            Interlocked.Exchange(ref _sleeping[participant], 1);
            if (Volatile.Read(ref _phase) == phase)
            {
                _wake[participant].Wait();
            }

            Interlocked.Exchange(ref _sleeping[participant], 0);
            spins = 0;
        }
    }

    public void Dispose()
    {
        foreach (SemaphoreSlim wake in _wake)
        {
            wake.Dispose();
        }
    }
}
