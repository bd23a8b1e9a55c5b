using System;
using System.Threading;

namespace SimdCheckpoint;

/// <summary>
/// The helper threads of a multi-threaded <see cref="InferenceSession{TNetwork}"/>. A call split by rows
/// (<see cref="ThreadSplit.Rows"/>) gives each helper a contiguous block of rows to run through the whole network with
/// buffers of its own, the caller running the first block; a call split by panels (<see cref="ThreadSplit.Panels"/>)
/// has every helper run its share of a <see cref="PanelPass{TNetwork}"/>. Either way no output's fma chain is split, so
/// any split gives the bits of one thread. A helper spins briefly for the next call, then sleeps on a semaphore;
/// handing over a call allocates nothing.
/// </summary>
internal sealed unsafe class RowWorkers<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly Worker[] _workers;

    public RowWorkers(NetworkWeights<TNetwork> weights, int helpers, int maxRowsPerBlock)
    {
        _workers = new Worker[helpers];
        for (int i = 0; i < helpers; i++)
        {
            _workers[i] = new Worker(weights, maxRowsPerBlock, i + 1);
        }
    }

    public int Count => _workers.Length;

    /// <summary>Starts helper <paramref name="index"/> on <paramref name="rows"/> rows at the given addresses, which stay pinned until <see cref="Join"/>.</summary>
    public void Start(int index, KernelPath path, float* input, float* output, int rows) => _workers[index].Start(path, input, output, rows);

    /// <summary>Starts helper <paramref name="index"/> as participant <paramref name="index"/> + 1 of <paramref name="pass"/>, which the caller has prepared.</summary>
    public void StartPanels(int index, PanelPass<TNetwork> pass) => _workers[index].StartPanels(pass);

    /// <summary>Waits for every started helper; rethrows the first helper's exception.</summary>
    public void Join(int started)
    {
        Exception? error = null;
        for (int i = 0; i < started; i++)
        {
            error ??= _workers[i].Join();
        }

        if (error is not null)
        {
            throw new InvalidOperationException("A helper thread of the inference session failed.", error);
        }
    }

    public void Dispose()
    {
        foreach (Worker worker in _workers)
        {
            worker.Dispose();
        }
    }

    private sealed class Worker : IDisposable
    {
        /// <summary>About 50 µs of polling before a helper sleeps: back-to-back calls never wait for a wake-up.</summary>
        private const int SpinIterations = 2000;

        private readonly NetworkWeights<TNetwork> _weights;
        private readonly AlignedBuffer _buffers;
        private readonly SemaphoreSlim _wake = new(0);
        private readonly Thread _thread;
        private long _requested;
        private long _finished;
        private int _sleeping;
        private volatile bool _stopping;
        private KernelPath _path;
        private float* _input;
        private float* _output;
        private int _rows;
        private PanelPass<TNetwork>? _pass;
        private readonly int _participant;
        private Exception? _error;

        public Worker(NetworkWeights<TNetwork> weights, int maxRows, int number)
        {
            _weights = weights;
            _participant = number;
            _buffers = AlignedBuffer.Allocate(checked((int)GraphExecutor<TNetwork>.ArenaFloats(maxRows)));
            _thread = new Thread(Loop) { IsBackground = true, Name = $"SimdCheckpoint {TNetwork.Spec.Name} rows #{number}" };
            _thread.Start();
        }

        public void Start(KernelPath path, float* input, float* output, int rows)
        {
            _path = path;
            _input = input;
            _output = output;
            _rows = rows;
            _pass = null;
            Request();
        }

        public void StartPanels(PanelPass<TNetwork> pass)
        {
            _pass = pass;
            Request();
        }

        private void Request()
        {
            _error = null;
            Interlocked.Increment(ref _requested); // a full fence: the fields above are visible before the request
            if (Volatile.Read(ref _sleeping) == 1)
            {
                _wake.Release();
            }
        }

        public Exception? Join()
        {
            long target = Volatile.Read(ref _requested);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _finished) != target)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            return _error;
        }

        /// <summary>Wakes the helper to end its loop, waits for its thread to exit, then releases the semaphore.</summary>
        public void Dispose()
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Interlocked.Increment(ref _requested);
            _wake.Release();
            _thread.Join();
            _wake.Dispose();
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                int spins = 0;
                while (Volatile.Read(ref _requested) == seen)
                {
                    if (spins++ < SpinIterations)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }

                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _requested) == seen)
                    {
                        _wake.Wait();
                    }

                    Interlocked.Exchange(ref _sleeping, 0);
                    spins = 0;
                }

                seen = Volatile.Read(ref _requested);
                if (_stopping)
                {
                    return;
                }

                if (_pass is { } pass)
                {
                    // PanelPass.Run catches its own exceptions, so it always reaches every barrier.
                    _error = pass.Run(_participant);
                    Volatile.Write(ref _finished, seen);
                    continue;
                }

                try
                {
                    NetworkSpec spec = TNetwork.Spec;
                    int rows = _rows;
                    GraphExecutor<TNetwork>.Forward(
                        _path,
                        _weights.Packed,
                        new ReadOnlySpan<float>(_input, rows * spec.InputSize),
                        new Span<float>(_output, rows * spec.OutputSize),
                        rows,
                        _buffers.Span[..(int)GraphExecutor<TNetwork>.ArenaFloats(rows)]);
                }
                catch (Exception e)
                {
                    _error = e;
                }

                Volatile.Write(ref _finished, seen);
            }
        }
    }
}
