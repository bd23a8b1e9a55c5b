using System;
using System.Runtime.CompilerServices;

namespace SimdCheckpoint;

/// <summary>
/// Runs a generated network over packed weights, any number of times, without allocating. A forward pass needs two
/// ping-pong activation buffers of <c>batch · MaxHiddenSize</c> floats whatever the depth: up to
/// <see cref="StackThresholdBytes"/> they are <c>stackalloc</c>ed per call; above, the session allocates them once,
/// 64-byte aligned. A session is used by one thread at a time; create one per thread over shared weights, or give it
/// helper threads (<see cref="InferenceSession{TNetwork}(NetworkWeights{TNetwork}, int, int)"/>), which split each
/// batch by rows and give the bits of one thread.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed unsafe class InferenceSession<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    /// <summary>The largest pair of activation buffers, in bytes, placed on the stack instead of in the session.</summary>
    public const int StackThresholdBytes = 32 * 1024;

    private readonly AlignedBuffer? _arena;
    private readonly int _hiddenPerRow;

    private readonly RowWorkers<TNetwork>? _workers;

    /// <summary>Creates a session for batches of up to <paramref name="maxBatch"/> rows, run on the calling thread.</summary>
    public InferenceSession(NetworkWeights<TNetwork> weights, int maxBatch)
        : this(weights, maxBatch, threads: 1)
    {
    }

    /// <summary>
    /// Creates a session for batches of up to <paramref name="maxBatch"/> rows that runs each call on
    /// <paramref name="threads"/> threads: the caller and <c>threads − 1</c> helpers the session starts, each taking a
    /// contiguous block of rows through the whole network with buffers of its own. Rows are independent, so the bits
    /// equal one thread's; a batch smaller than <see cref="MinRowsPerThread"/>·2 runs on the caller alone. Dispose the
    /// session to stop its helpers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1 or above 64.</exception>
    public InferenceSession(NetworkWeights<TNetwork> weights, int maxBatch, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 64);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        NetworkSpec spec = TNetwork.Spec;
        long bufferFloats = (long)maxBatch * spec.MaxHiddenSize;
        if (bufferFloats * 2 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"Two buffers of {maxBatch}·{spec.MaxHiddenSize} floats exceed the largest array.");
        }

        Weights = weights;
        MaxBatch = maxBatch;
        _hiddenPerRow = spec.MaxHiddenSize;
        ActivationBytes = bufferFloats * 2 * sizeof(float);
        if (ActivationBytes > StackThresholdBytes)
        {
            _arena = AlignedBuffer.Allocate((int)(bufferFloats * 2));
        }

        Threads = threads;
        if (threads > 1)
        {
            _workers = new RowWorkers<TNetwork>(weights, threads - 1, (maxBatch + threads - 1) / threads);
        }
        else
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Stops the helper threads if the session was not disposed.</summary>
    ~InferenceSession() => _workers?.Dispose();

    /// <summary>Below this many rows per thread a call does not split (handing rows over costs about a microsecond).</summary>
    public const int MinRowsPerThread = 4;

    /// <summary>Threads per call: the caller and its helpers.</summary>
    public int Threads { get; }

    /// <summary>The weights the session runs.</summary>
    public NetworkWeights<TNetwork> Weights { get; }

    /// <summary>The largest batch <see cref="Forward(ReadOnlySpan{float}, Span{float}, int)"/> accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>The network.</summary>
    public NetworkSpec Spec => TNetwork.Spec;

    /// <summary>Bytes of the two activation buffers at <see cref="MaxBatch"/>: the whole working memory of a forward pass.</summary>
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

        if (input.Length != batch * spec.InputSize)
        {
            throw new ArgumentException($"The input has {input.Length} floats; batch {batch} of {spec.Name} needs exactly {batch}·{spec.InputSize} = {batch * spec.InputSize}.", nameof(input));
        }

        if (output.Length != batch * spec.OutputSize)
        {
            throw new ArgumentException($"The output has {output.Length} floats; batch {batch} of {spec.Name} needs exactly {batch}·{spec.OutputSize} = {batch * spec.OutputSize}.", nameof(output));
        }

        if (input.Overlaps(output))
        {
            throw new ArgumentException("The input and output spans overlap.", nameof(output));
        }

        int threads = _workers is null ? 1 : Math.Clamp(batch / MinRowsPerThread, 1, Threads);
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

    /// <summary>Stops the helper threads (a no-op for a one-thread session).</summary>
    public void Dispose()
    {
        _workers?.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkipLocalsInit]
    private void RunRows(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path)
    {
        int hidden = batch * _hiddenPerRow;
        if (_arena is { } arena)
        {
            Span<float> buffers = arena.Span;
            TNetwork.Forward(path, Weights.Packed, input, output, batch, buffers[..hidden], buffers.Slice(buffers.Length / 2, hidden));
        }
        else
        {
            Span<float> buffers = stackalloc float[hidden * 2];
            TNetwork.Forward(path, Weights.Packed, input, output, batch, buffers[..hidden], buffers[hidden..]);
        }
    }
}
