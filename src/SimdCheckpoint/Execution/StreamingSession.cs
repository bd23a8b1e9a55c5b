using System;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// Runs a generated network whose weights stay on disk, in a packed weights file (<see cref="PackedWeightsFile"/>), within
/// a budget of resident weight memory: a ring of aligned buffers, each as large as the largest layer's block, which a
/// reader thread fills one layer ahead of the compute (positional reads, so the page cache is not part of the process's
/// resident memory). Each layer runs the same generated kernel on the same packed block as
/// <see cref="InferenceSession{TNetwork}"/>, so the bits are the in-memory session's. A call costs about
/// max(read, compute) per layer; a batch shares each layer's read among its rows. A budget that holds every layer makes
/// the weights resident (read once). Within a layer, the compute runs the column panels already read while the reader
/// reads the rest (each output is still one whole fma chain), and when it would wait for panels it reads the next chunk of
/// them itself, so at batch 1 both threads read. Allocates nothing per call. One thread computes; use one session per thread.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class StreamingSession<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly WeightRing _ring;
    private readonly AlignedBuffer _arena;
    private bool _disposed;

    /// <summary>
    /// Opens <paramref name="path"/>, checks that it was packed for <typeparamref name="TNetwork"/>, and sizes the ring
    /// from <paramref name="weightBudget"/>: as many buffers of <see cref="SlotBytes"/> as fit, at least one (no overlap of
    /// read and compute), two or more to read ahead; all layers' worth to keep them resident.
    /// </summary>
    /// <param name="path">A packed weights file.</param>
    /// <param name="weightBudget">Bytes of weight buffers the session may hold (activation buffers are apart: <see cref="ActivationBytes"/>).</param>
    /// <param name="maxBatch">The largest batch a call may run.</param>
    /// <param name="verifyChecksums">
    /// Whether to compare every block with its SHA-256 at construction (one pass over the file, through the first buffer);
    /// the streamed reads are not hashed again, so a file changed while the session is open is not detected.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The budget cannot hold the largest layer (the message gives the minimum), or the batch is below 1.</exception>
    /// <exception cref="WeightsFormatException">The file is malformed, or a block does not match its checksum.</exception>
    /// <exception cref="WeightsMismatchException">The file was packed for another network or panel width.</exception>
    /// <exception cref="NotSupportedException">The network is not a chain of dense layers with one input and one output.</exception>
    public StreamingSession(string path, long weightBudget, int maxBatch, bool verifyChecksums = true)
        : this(path, weightBudget, maxBatch, verifyChecksums, WeightRing.DefaultChunkBytes)
    {
    }

    /// <summary>As the public constructor, reading <paramref name="chunkBytes"/> of panels between publications (tests make layers arrive in many parts).</summary>
    internal StreamingSession(string path, long weightBudget, int maxBatch, bool verifyChecksums, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        NetworkLayout<TNetwork>.RequireSingleInputAndOutput();
        if (Array.IndexOf(NetworkLayout<TNetwork>.NodeLayers, -1) >= 0)
        {
            throw new NotSupportedException($"{TNetwork.Spec.Name} has nodes other than dense layers; a streaming session runs networks of dense layers (an encoder streams its dense layers with EncoderSession.Streaming).");
        }

        long arenaFloats = GraphExecutor<TNetwork>.ArenaFloats(maxBatch);
        if (arenaFloats > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"The activation buffers of {maxBatch} rows ({arenaFloats} floats) exceed the largest array.");
        }

        _arena = AlignedBuffer.Allocate((int)arenaFloats);
        _ring = WeightRing.Open<TNetwork>(path, weightBudget, verifyChecksums, chunkBytes, nameof(weightBudget));
        WeightBudget = weightBudget;
        MaxBatch = maxBatch;
        ActivationBytes = arenaFloats * sizeof(float);
        Path = path;
    }

    /// <summary>Stops the reader thread if the session was not disposed.</summary>
    ~StreamingSession() => _ring?.Dispose();

    /// <summary>
    /// Bytes of one ring buffer: the largest layer's packed block, rounded up to <see cref="PackedWeightsFile.BlockAlignment"/>.
    /// The smallest budget a session accepts is one buffer (<see cref="MinimumWeightBudget"/>).
    /// </summary>
    public static long SlotBytes => WeightRing.SlotBytes<TNetwork>();

    /// <summary>The smallest weight budget: one buffer of <see cref="SlotBytes"/>.</summary>
    public static long MinimumWeightBudget => SlotBytes;

    /// <summary>The file the weights are read from.</summary>
    public string Path { get; }

    /// <summary>The budget given.</summary>
    public long WeightBudget { get; }

    /// <summary>The weight buffers held: as many of <see cref="SlotBytes"/> as the budget holds, at most one per layer.</summary>
    public int Buffers => _ring.Slots;

    /// <summary>Bytes of weight buffers held (at most <see cref="WeightBudget"/>).</summary>
    public long ResidentWeightBytes => Resident ? PackedBytes : Buffers * SlotBytes;

    /// <summary>Whether the budget holds every layer, so the weights were read once and stay in memory.</summary>
    public bool Resident => _ring.Resident;

    /// <summary>Bytes of the packed weights (the blocks of every layer): what one call reads when not <see cref="Resident"/>.</summary>
    public static long PackedBytes => (long)NetworkLayout<TNetwork>.Packed.Length * sizeof(float);

    /// <summary>Bytes read into the weight buffers since the session was created (the checksum pass excluded).</summary>
    public long BytesRead => _ring.BytesRead;

    /// <summary>The largest batch a call accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>Bytes of the activation buffers (two ping-pong buffers of <see cref="MaxBatch"/> rows), apart from the weight budget.</summary>
    public long ActivationBytes { get; }

    /// <summary>The network.</summary>
    public NetworkSpec Spec => TNetwork.Spec;

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this machine.</summary>
    public KernelPath AutoPath => TNetwork.AutoPath;

    /// <summary>
    /// Computes <paramref name="batch"/> rows, as <see cref="InferenceSession{TNetwork}.Forward(ReadOnlySpan{float}, Span{float}, int)"/>
    /// does and with its bits, streaming every layer's weights through the ring. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length, the spans overlap, or the batch is outside 1..<see cref="MaxBatch"/>; nothing is read or written.</exception>
    /// <exception cref="WeightsFormatException">Reading the file failed (for example, it was truncated after the session opened it); the session is then unusable.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch) => Forward(input, output, batch, KernelPath.Auto);

    /// <summary>As <see cref="Forward(ReadOnlySpan{float}, Span{float}, int)"/>, on the given path (every path gives the same bits).</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

        BufferPlan plan = NetworkLayout<TNetwork>.Buffers;
        int[] layers = NetworkLayout<TNetwork>.NodeLayers;
        Span<float> arena = _arena.Span[..(int)GraphExecutor<TNetwork>.ArenaFloats(batch)];
        try
        {
            for (int node = 0; node < layers.Length; node++)
            {
                ReadOnlySpan<float> x = GraphExecutor<TNetwork>.Read(plan.Read(node, 0), input, output, arena, batch);
                Span<float> y = GraphExecutor<TNetwork>.Write(plan.Write(node), output, arena, batch);
                _ring.RunLayer<TNetwork>(path, layers[node], x, y, batch);
            }
        }
        finally
        {
            _ring.FinishCall();
        }
    }

    /// <summary>Stops the reader thread and closes the file.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _ring.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
