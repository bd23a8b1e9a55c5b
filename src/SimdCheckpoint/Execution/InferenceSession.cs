using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace SimdCheckpoint;

/// <summary>
/// Runs a generated network over packed weights, any number of times, without allocating. A forward pass walks the
/// network's graph and keeps its tensors in the activation buffers its buffer plan gives (a chain: two ping-pong
/// buffers whatever the depth, each as wide as the widest tensor it holds): up to <see cref="StackThresholdBytes"/>
/// they are <c>stackalloc</c>ed per call; above, the session allocates them once, 64-byte aligned. A session is used by one thread at a time; create one per thread over shared weights, or give it
/// helper threads (<see cref="InferenceSession{TNetwork}(NetworkWeights{TNetwork}, int, int, ThreadSplit)"/>), which
/// share each call by rows or by column panels (<see cref="ThreadSplit"/>) and give the bits of one thread.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed unsafe class InferenceSession<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    /// <summary>The largest activation arena (every buffer of a forward pass), in bytes, placed on the stack instead of in the session.</summary>
    public const int StackThresholdBytes = 32 * 1024;

    private readonly AlignedBuffer? _arena;

    private readonly RowWorkers<TNetwork>? _workers;
    private readonly PanelPass<TNetwork>? _pass;

    /// <summary>Creates a session for batches of up to <paramref name="maxBatch"/> rows, run on the calling thread.</summary>
    public InferenceSession(NetworkWeights<TNetwork> weights, int maxBatch)
        : this(weights, maxBatch, threads: 1)
    {
    }

    /// <summary>
    /// Creates a session for batches of up to <paramref name="maxBatch"/> rows that runs each call on
    /// <paramref name="threads"/> threads, the caller and <c>threads − 1</c> helpers the session starts, sharing each
    /// call as <see cref="ThreadSplit.Auto"/> chooses. Dispose the session to stop its helpers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1 or above 64.</exception>
    public InferenceSession(NetworkWeights<TNetwork> weights, int maxBatch, int threads)
        : this(weights, maxBatch, threads, ThreadSplit.Auto)
    {
    }

    /// <summary>
    /// Creates a session for batches of up to <paramref name="maxBatch"/> rows that runs each call on
    /// <paramref name="threads"/> threads: the caller and <c>threads − 1</c> helpers the session starts. By rows, each
    /// thread takes a contiguous block of rows through the whole network with buffers of its own; by panels, each takes
    /// a contiguous range of every layer's column panels for all rows and the threads meet between layers. Either way
    /// every output is computed whole by one thread, so the bits equal one thread's. <paramref name="split"/> fixes the
    /// choice for every call; <see cref="ThreadSplit.Auto"/> (the default) chooses per call (<see cref="SplitFor"/>).
    /// Dispose the session to stop its helpers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="threads"/> is below 1 or above 64, or <paramref name="split"/> is not a member of <see cref="ThreadSplit"/>.
    /// </exception>
    public InferenceSession(NetworkWeights<TNetwork> weights, int maxBatch, int threads, ThreadSplit split)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (split is not (ThreadSplit.Auto or ThreadSplit.Rows or ThreadSplit.Panels))
        {
            throw new ArgumentOutOfRangeException(nameof(split), split, "The split must be Auto, Rows or Panels.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 64);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        NetworkLayout<TNetwork>.RequireSingleInputAndOutput();
        long arenaFloats = GraphExecutor<TNetwork>.ArenaFloats(maxBatch);
        if (arenaFloats > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"The activation buffers of {maxBatch} rows ({arenaFloats} floats) exceed the largest array.");
        }

        Weights = weights;
        MaxBatch = maxBatch;
        ActivationBytes = arenaFloats * sizeof(float);
        if (ActivationBytes > StackThresholdBytes)
        {
            _arena = AlignedBuffer.Allocate((int)arenaFloats);
        }

        Threads = threads;
        Split = split;
        if (threads > 1)
        {
            // A helper's buffers hold the largest block of rows Forward can hand it: ceil(maxBatch / threads) when every
            // thread takes part, and up to 6 rows when a small batch takes fewer (batch 8 of 4 threads: 2 blocks of 4).
            int helperRows = Math.Max((maxBatch + threads - 1) / threads, Math.Min(maxBatch, (2 * MinRowsPerThread) - 1));
            _workers = new RowWorkers<TNetwork>(weights, threads - 1, helperRows);
            _pass = new PanelPass<TNetwork>(weights, threads);
        }
        else
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Stops the helper threads if the session was not disposed.</summary>
    ~InferenceSession() => _workers?.Dispose();

    /// <summary>
    /// Below this many rows per thread a call is not split by rows (handing rows over costs about a microsecond);
    /// <see cref="ThreadSplit.Auto"/> splits such a call by panels instead.
    /// </summary>
    public const int MinRowsPerThread = 4;

    /// <summary>
    /// Packed weights above this many bytes make <see cref="ThreadSplit.Auto"/> split every call by panels: 32 MiB, the
    /// shared L3 of the machine the rule was measured on. Below it the weights stay cached between layers and calls, and
    /// the split by rows, whose threads never meet during a call, was the faster at batch 64 (mnist, deep32). Above it
    /// the weights come from DRAM, and a thread running all layers over its rows streams all of them, so two threads
    /// share one memory bus for the same bytes twice; split by panels, each thread streams only its share of each
    /// layer (wide, 100 MB, batch 64: 1.95× one thread's speed, against 1.09× by rows). Figures: docs/performance.md.
    /// </summary>
    public const long PanelSplitWeightBytes = 32L * 1024 * 1024;

    /// <summary>How calls are shared among <see cref="Threads"/>, as given when the session was created.</summary>
    public ThreadSplit Split { get; }

    /// <summary>
    /// How a call of <paramref name="batch"/> rows is shared: <see cref="ThreadSplit.Rows"/> or <see cref="ThreadSplit.Panels"/>,
    /// the session's <see cref="Split"/> resolved for this batch. A one-thread session reports <see cref="ThreadSplit.Rows"/>
    /// (all rows on the caller), as does a split by rows of fewer than <see cref="MinRowsPerThread"/>·2 rows.
    /// </summary>
    public ThreadSplit SplitFor(int batch)
    {
        if (_workers is null)
        {
            return ThreadSplit.Rows;
        }

        return Split switch
        {
            ThreadSplit.Rows => ThreadSplit.Rows,
            ThreadSplit.Panels => ThreadSplit.Panels,
            _ => batch < 2 * MinRowsPerThread || Weights.PackedBytes > PanelSplitWeightBytes
                ? ThreadSplit.Panels
                : ThreadSplit.Rows,
        };
    }

    /// <summary>Threads per call: the caller and its helpers.</summary>
    public int Threads { get; }

    /// <summary>The weights the session runs.</summary>
    public NetworkWeights<TNetwork> Weights { get; }

    /// <summary>The largest batch <see cref="Forward(ReadOnlySpan{float}, Span{float}, int)"/> accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>The network.</summary>
    public NetworkSpec Spec => TNetwork.Spec;

    /// <summary>Bytes of the activation buffers at <see cref="MaxBatch"/>: the whole working memory of a forward pass.</summary>
    public long ActivationBytes { get; }

    /// <summary>Whether the buffers are <c>stackalloc</c>ed per call (true) or held by the session (false).</summary>
    public bool UsesStack => _arena is null;

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this machine.</summary>
    public KernelPath AutoPath => TNetwork.AutoPath;

    /// <summary>
    /// Computes <paramref name="batch"/> rows: <paramref name="input"/> holds <c>batch · InputSize</c> floats,
    /// <paramref name="output"/> receives <c>batch · OutputSize</c>. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A span has the wrong length, the spans overlap, or the batch is outside 1..<see cref="MaxBatch"/>; nothing is written.
    /// </exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => Forward(input, output, batch, KernelPath.Auto);

    /// <summary>
    /// As <see cref="Forward(ReadOnlySpan{float}, Span{float}, int)"/>, on the given path. Every path gives the same
    /// bits; forcing one is for verification.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path)
    {
        NetworkSpec spec = TNetwork.Spec;
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"The batch must be between 1 and the session's maximum, {MaxBatch}.");
        }

        if (input.Length != (long)batch * spec.InputSize)
        {
            throw new ArgumentException($"The input has {input.Length} floats; batch {batch} of {spec.Name} needs exactly {batch}·{spec.InputSize} = {(long)batch * spec.InputSize}.", nameof(input));
        }

        if (output.Length != (long)batch * spec.OutputSize)
        {
            throw new ArgumentException($"The output has {output.Length} floats; batch {batch} of {spec.Name} needs exactly {batch}·{spec.OutputSize} = {(long)batch * spec.OutputSize}.", nameof(output));
        }

        if (input.Overlaps(output))
        {
            throw new ArgumentException("The input and output spans overlap.", nameof(output));
        }

        if (_workers is null)
        {
            RunRows(input, output, batch, path);
            return;
        }

        if (SplitFor(batch) == ThreadSplit.Panels)
        {
            RunPanels(input, output, batch, path);
            return;
        }

        int threads = Math.Clamp(batch / MinRowsPerThread, 1, Threads);
        if (threads == 1)
        {
            RunRows(input, output, batch, path);
            return;
        }

        // Contiguous blocks of rows: the caller takes the first, helper i the (i + 1)-th.
        int block = (batch + threads - 1) / threads;
        int started = 0;
        fixed (float* inputs = input)
        fixed (float* outputs = output)
        {
            try
            {
                for (int first = block; first < batch; first += block, started++)
                {
                    int rows = Math.Min(block, batch - first);
                    _workers!.Start(started, path, inputs + ((long)first * spec.InputSize), outputs + ((long)first * spec.OutputSize), rows);
                }

                RunRows(input[..(block * spec.InputSize)], output[..(block * spec.OutputSize)], block, path);
            }
            finally
            {
                _workers!.Join(started);
            }
        }
    }

    /// <summary>
    /// One dense layer alone, on the calling thread: <paramref name="input"/> holds <c>batch · K</c> floats of layer
    /// <paramref name="layer"/>'s input, <paramref name="output"/> receives its <c>batch · N</c> outputs, exactly what
    /// that layer computes inside <see cref="Forward(ReadOnlySpan{float}, Span{float}, int, KernelPath)"/>. For probing
    /// and verifying a network layer by layer; allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer, or the batch is outside 1..<see cref="MaxBatch"/>.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length; nothing is written.</exception>
    public void ForwardLayer(int layer, ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path = KernelPath.Auto)
    {
        NetworkSpec spec = TNetwork.Spec;
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, spec.Layers.Count);
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"The batch must be between 1 and the session's maximum, {MaxBatch}.");
        }

        DenseLayerSpec l = spec.Layers[layer];
        if (input.Length != (long)batch * l.Inputs)
        {
            throw new ArgumentException($"The input has {input.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Inputs} = {(long)batch * l.Inputs}.", nameof(input));
        }

        if (output.Length != (long)batch * l.Outputs)
        {
            throw new ArgumentException($"The output has {output.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Outputs} = {(long)batch * l.Outputs}.", nameof(output));
        }

        if (input.Overlaps(output))
        {
            throw new ArgumentException("The input and output spans overlap.", nameof(output));
        }

        GraphExecutor<TNetwork>.ForwardLayer(path, layer, Weights.Packed, input, output, batch);
    }

    /// <summary>Stops the helper threads (a no-op for a one-thread session).</summary>
    public void Dispose()
    {
        _workers?.Dispose();
        _pass?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The split by panels: the whole batch runs through the session's own buffers (or the caller's stack), every
    /// thread computing its share of each layer's panels (<see cref="PanelPass{TNetwork}"/>) between barriers.
    /// </summary>
    [SkipLocalsInit]
    private void RunPanels(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path)
    {
        int floats = (int)GraphExecutor<TNetwork>.ArenaFloats(batch);
        Span<float> arena = _arena is { } held ? held.Span[..floats] : stackalloc float[floats];
        PanelPass<TNetwork> pass = _pass!;
        RowWorkers<TNetwork> workers = _workers!;
        Exception? error;
        int started = 0;
        fixed (float* inputs = input)
        fixed (float* outputs = output)
        fixed (float* buffers = arena)
        {
            pass.Prepare(path, inputs, outputs, buffers, batch);
            try
            {
                for (; started < workers.Count; started++)
                {
                    workers.StartPanels(started, pass);
                }

                error = pass.Run(0);
            }
            finally
            {
                workers.Join(started);
            }
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    [SkipLocalsInit]
    private void RunRows(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path)
    {
        int floats = (int)GraphExecutor<TNetwork>.ArenaFloats(batch);
        Span<float> arena = _arena is { } held ? held.Span[..floats] : stackalloc float[floats];
        GraphExecutor<TNetwork>.Forward(path, Weights.Packed, input, output, batch, arena);
    }
}
