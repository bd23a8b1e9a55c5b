using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace SimdCheckpoint;

/// <summary>
/// The resident weight buffers of a <see cref="StreamingSession{TNetwork}"/>: <see cref="Slots"/> aligned buffers, each
/// as large as the largest layer's block, and a reader thread that fills them with the layers' blocks in the order the
/// layers run, round and round the network, as fast as the compute frees them. Slot g mod S holds the g-th block of that
/// endless sequence (layer g mod L), so the consumer, taking blocks in the same order, always finds the layer it needs.
/// </summary>
/// <remarks>
/// Two counting semaphores carry the hand-over of buffers: <c>free</c> (slots the reader may fill, S at first) and
/// <c>started</c> (blocks the reader has begun, 0 at first). The reader reads a block's bias first, then releases it to
/// the compute; its column panels are read in chunks of about <see cref="DefaultChunkBytes"/>, which the reader thread
/// and the compute thread both claim, in order, from one counter: the compute, when the panels it needs next are not read
/// yet, reads the next unclaimed chunk itself instead of waiting. At batch 1 the compute is several times faster than
/// the read, so this puts both cores to reading, and each thread computes panels it has just read, from its own cache.
/// Chunks may finish out of order; the count of ready panels advances over the run of finished chunks from the front,
/// and the compute runs the panels already read while the rest arrive. Neither side allocates: blocks are read with
/// positional reads (<see cref="System.IO.RandomAccess"/>) into the slots, which never move (pinned arrays). A read
/// error, on either thread, faults the ring: every later call rethrows it.
/// </remarks>
internal sealed class WeightRing : IDisposable
{
    /// <summary>About this many bytes of panels are read between two publications of progress.</summary>
    public const int DefaultChunkBytes = 1 << 20;

    private const int Faulted = int.MaxValue;

    private readonly PackedWeightsFile _file;
    private readonly PackedLayer[] _blocks;
    private readonly AlignedBuffer[] _slots;
    private readonly int[] _ready;
    private readonly int[] _claimed;
    private readonly int[][] _done;
    private readonly SemaphoreSlim _free;
    private readonly SemaphoreSlim _started;
    private readonly ManualResetEventSlim _progress = new(false, spinCount: 50);
    private readonly Thread? _reader;
    private readonly int _chunkBytes;
    private long _consumed;
    private long _bytesRead;
    private volatile Exception? _error;
    private volatile bool _stopping;

    /// <param name="file">The open, validated file; the ring owns it from here on.</param>
    /// <param name="blocks">Each layer's block layout, offsets relative to the block.</param>
    /// <param name="slots">Buffers; when they hold every layer, each is read once and no reader thread runs.</param>
    /// <param name="slotFloats">Floats per buffer, at least the largest block.</param>
    /// <param name="verify">
    /// Whether to compare every block with its SHA-256 first: as it is read, when resident; otherwise in one pass through
    /// the first buffer before the reader starts (the streamed reads are not hashed: that would cost more than the read).
    /// </param>
    /// <param name="chunkBytes">Bytes of panels read between two publications of progress (at least one panel).</param>
    public WeightRing(PackedWeightsFile file, PackedLayer[] blocks, int slots, int slotFloats, bool verify, int chunkBytes = DefaultChunkBytes)
    {
        _file = file;
        _chunkBytes = chunkBytes;
        _blocks = blocks;
        int layers = blocks.Length;
        Resident = slots >= layers;
        _slots = new AlignedBuffer[Resident ? layers : slots];
        _ready = new int[_slots.Length];
        _claimed = new int[_slots.Length];
        _done = new int[_slots.Length][];
        int maxChunks = 1;
        foreach (PackedLayer b in blocks)
        {
            maxChunks = Math.Max(maxChunks, Chunks(b));
        }

        for (int s = 0; s < _slots.Length; s++)
        {
            _done[s] = new int[maxChunks];
        }
        for (int s = 0; s < _slots.Length; s++)
        {
            _slots[s] = AlignedBuffer.Allocate(Resident ? blocks[s].Length : slotFloats);
        }

        _free = new SemaphoreSlim(_slots.Length);
        _started = new SemaphoreSlim(0);
        if (Resident)
        {
            for (int i = 0; i < layers; i++)
            {
                if (verify)
                {
                    _file.ReadVerified(i, _slots[i].Span);
                    Interlocked.Add(ref _bytesRead, file.Layers[i].Length);
                }
                else
                {
                    _file.ReadExactly(i, file.Layers[i].Offset, MemoryMarshal.AsBytes(_slots[i].Span));
                    Interlocked.Add(ref _bytesRead, file.Layers[i].Length);
                }
            }
        }
        else
        {
            if (verify)
            {
                for (int i = 0; i < layers; i++)
                {
                    _file.ReadVerified(i, _slots[0].Span[..blocks[i].Length]);
                }
            }

            // The event creates its lock object on the first wait that blocks; block once here, so no call ever allocates it.
            _progress.Wait(1);
            _reader = new Thread(ReadLoop) { IsBackground = true, Name = "SimdCheckpoint weight reader" };
            _reader.Start();
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/>, checks it was packed for <typeparamref name="TNetwork"/>, and makes the ring of as
    /// many buffers of <see cref="SlotBytes{TNetwork}"/> as <paramref name="weightBudget"/> holds (at most one per layer),
    /// the blocks in the order of the network's dense layers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget cannot hold the largest layer (the message gives the minimum).</exception>
    public static WeightRing Open<TNetwork>(string path, long weightBudget, bool verify, int chunkBytes, string budgetParameter)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        long slotBytes = SlotBytes<TNetwork>();
        if (weightBudget < slotBytes)
        {
            int largest = LargestLayer<TNetwork>();
            throw new ArgumentOutOfRangeException(
                budgetParameter,
                weightBudget,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"A weight budget of {weightBudget} bytes cannot hold layer {largest} ('{TNetwork.Spec.Layers[largest].Name}') of {TNetwork.Spec.Name}, its largest: the minimum budget is {slotBytes} bytes ({slotBytes / (1024.0 * 1024.0):F1} MiB), and twice that lets the next layer be read while one computes."));
        }

        PackedWeightsFile file = PackedWeightsFile.Open(path);
        try
        {
            file.RequireNetwork<TNetwork>();
            int layers = TNetwork.Spec.Layers.Count;
            var blocks = new PackedLayer[layers];
            for (int i = 0; i < layers; i++)
            {
                PackedLayer l = NetworkLayout<TNetwork>.Packed.Layers[i];
                blocks[i] = PackedLayer.For(l.Inputs, l.Outputs, l.PanelWidth, 0);
            }

            long slots = Math.Min(weightBudget / slotBytes, layers);
            return new WeightRing(file, blocks, (int)slots, (int)(slotBytes / sizeof(float)), verify, chunkBytes);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of one buffer: the largest layer's packed block, rounded up to <see cref="PackedWeightsFile.BlockAlignment"/>.</summary>
    public static long SlotBytes<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
        => PackedWeightsFile.AlignUp((long)NetworkLayout<TNetwork>.Packed.Layers[LargestLayer<TNetwork>()].Length * sizeof(float));

    private static int LargestLayer<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        PackedNetworkLayout layout = NetworkLayout<TNetwork>.Packed;
        int largest = 0;
        for (int i = 1; i < layout.Layers.Count; i++)
        {
            if (layout.Layers[i].Length > layout.Layers[largest].Length)
            {
                largest = i;
            }
        }

        return largest;
    }

    /// <summary>Whether every layer stays in its own buffer (read once at construction).</summary>
    public bool Resident { get; }

    /// <summary>The buffers.</summary>
    public int Slots => _slots.Length;

    /// <summary>Bytes read from the file since the ring was created (the checksum pass excluded).</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// Runs dense layer <paramref name="layer"/>, whose block is the next of the sequence, on <paramref name="rows"/> rows:
    /// the generated kernel over the panels already read while the rest are read (a softmax layer waits for the whole
    /// block, since it normalises whole rows), then hands the buffer back. Every output is one whole fma chain whatever the
    /// panel ranges, so the bits are the in-memory sessions'.
    /// </summary>
    /// <exception cref="WeightsFormatException">The read failed.</exception>
    public void RunLayer<TNetwork>(KernelPath path, int layer, ReadOnlySpan<float> x, Span<float> y, int rows)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        DenseLayerSpec l = TNetwork.Spec.Layers[layer];
        ReadOnlySpan<float> weights = Acquire(layer);
        try
        {
            int panels = _blocks[layer].Panels;
            bool whole = l.Activation == Activation.Softmax;
            for (int done = 0; done < panels;)
            {
                int ready = WaitForPanels(layer, whole ? panels : done + 1);
                TNetwork.RunLayer(path, layer, x, l.Inputs, weights, y, l.Outputs, rows, done, ready - done);
                done = ready;
            }
        }
        finally
        {
            Release(layer);
        }
    }

    /// <summary>
    /// Ends a call, also one that failed part-way: takes the blocks of the layers it did not run, so that the next call
    /// starts at layer 0 of the reader's sequence.
    /// </summary>
    public void FinishCall()
    {
        if (Resident)
        {
            return;
        }

        for (int layer; (layer = (int)(_consumed % _blocks.Length)) != 0;)
        {
            Acquire(layer);
            Release(layer);
        }
    }

    /// <summary>
    /// Waits until the reader has begun the next block of the sequence, which is layer <paramref name="layer"/>'s (the
    /// caller takes them in order), and gives its buffer; <see cref="WaitForPanels"/> says how much of it is read, and
    /// <see cref="Release"/> hands the buffer back once the layer is computed.
    /// </summary>
    private ReadOnlySpan<float> Acquire(int layer)
    {
        if (Resident)
        {
            return _slots[layer].Span;
        }

        _started.Wait();
        return _slots[(int)(_consumed % _slots.Length)].Span[.._blocks[layer].Length];
    }

    /// <summary>
    /// Waits until at least <paramref name="panels"/> leading panels (and the bias) of the block last acquired are read,
    /// and returns how many are (all of them once the block is complete).
    /// </summary>
    /// <exception cref="WeightsFormatException">The read failed.</exception>
    private int WaitForPanels(int layer, int panels)
    {
        if (Resident)
        {
            return _blocks[layer].Panels;
        }

        return WaitReady(layer, panels, help: true);
    }

    /// <summary>
    /// Hands the buffer of the block last acquired back to the reader; a block not yet fully read is waited for first, so
    /// the reader never has a buffer taken from under it.
    /// </summary>
    private void Release(int layer)
    {
        if (Resident)
        {
            return;
        }

        try
        {
            WaitReady(layer, _blocks[layer].Panels, help: false);
        }
        catch (WeightsFormatException)
        {
            // The call that met the failure has thrown it already; the buffer goes back all the same.
        }

        _consumed++;
        _free.Release();
    }

    /// <summary>Stops the reader thread (it finishes the read under way) and closes the file.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (_reader is not null)
        {
            _free.Release();
            _reader.Join();
        }

        _file.Dispose();
        _progress.Dispose();
    }

    /// <summary>
    /// Waits until the block last acquired has at least <paramref name="panels"/> leading panels read and returns how many
    /// are. While it waits, the caller reads chunks of the block no one has claimed yet itself (<paramref name="help"/>):
    /// at batch 1 the compute is much faster than the read, so its thread would otherwise sit idle while the reader copies.
    /// </summary>
    /// <exception cref="WeightsFormatException">A read failed (here or on the reader thread).</exception>
    private int WaitReady(int layer, int panels, bool help)
    {
        int slot = (int)(_consumed % _slots.Length);
        PackedLayer block = _blocks[layer];
        int chunkPanels = ChunkPanels(block);
        int chunks = Chunks(block);
        ref int ready = ref _ready[slot];
        while (true)
        {
            int now = Volatile.Read(ref ready);
            if (now == Faulted)
            {
                Exception error = _error!;
                throw new WeightsFormatException($"Reading the weights from '{_file.Path}' failed: {error.Message}", _file.Path, null);
            }

            now = Math.Min(block.Panels, now * chunkPanels);
            if (now >= panels)
            {
                return now;
            }

            if (help)
            {
                int chunk = Interlocked.Increment(ref _claimed[slot]) - 1;
                if (chunk < chunks)
                {
                    ReadChunk(layer, slot, chunk);
                    continue;
                }
            }

            // The readers publish every chunk and then set the event; reset, look again, and only then sleep, so a
            // publication between the look and the reset is never missed. Blocking (after a short spin) rather than
            // spinning leaves the core to the reader on a machine with fewer free cores than threads.
            _progress.Reset();
            int again = Volatile.Read(ref ready);
            if (again == Faulted || Math.Min(block.Panels, again * chunkPanels) >= panels)
            {
                continue;
            }

            _progress.Wait();
        }
    }

    private int ChunkPanels(PackedLayer block) => Math.Max(1, _chunkBytes / (block.PanelStride * sizeof(float)));

    private int Chunks(PackedLayer block)
    {
        int chunkPanels = ChunkPanels(block);
        return (block.Panels + chunkPanels - 1) / chunkPanels;
    }

    private void ReadLoop()
    {
        int layers = _blocks.Length;
        for (long g = 0; ; g++)
        {
            _free.Wait();
            if (_stopping)
            {
                return;
            }

            int slot = (int)(g % _slots.Length);
            int layer = (int)(g % layers);
            PackedLayer block = _blocks[layer];
            Array.Clear(_done[slot]);
            Volatile.Write(ref _ready[slot], 0);
            Volatile.Write(ref _claimed[slot], 0);
            if (_error is not null)
            {
                Fault(slot);
                _started.Release();
                continue;
            }

            try
            {
                // The bias first, so that any chunk's panels, once read, can run.
                Span<byte> bytes = MemoryMarshal.AsBytes(_slots[slot].Span[..block.Length]);
                int bias = block.BiasOffset * sizeof(float);
                _file.ReadExactly(layer, _file.Layers[layer].Offset + bias, bytes[bias..]);
                Interlocked.Add(ref _bytesRead, bytes.Length - bias);
            }
            catch (Exception e)
            {
                _error = e;
                Fault(slot);
                _started.Release();
                continue;
            }

            _started.Release();
            int chunks = Chunks(block);
            for (int chunk; (chunk = Interlocked.Increment(ref _claimed[slot]) - 1) < chunks;)
            {
                try
                {
                    ReadChunk(layer, slot, chunk);
                }
                catch (WeightsFormatException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Reads chunk <paramref name="chunk"/> of layer <paramref name="layer"/>'s panels into slot <paramref name="slot"/> and
    /// publishes it; chunks may finish out of order (two threads read), so the slot's count of ready chunks advances over
    /// the run of finished ones from the front.
    /// </summary>
    private void ReadChunk(int layer, int slot, int chunk)
    {
        PackedLayer block = _blocks[layer];
        int chunkPanels = ChunkPanels(block);
        int first = chunk * chunkPanels;
        int next = Math.Min(block.Panels, first + chunkPanels);
        Span<byte> bytes = MemoryMarshal.AsBytes(_slots[slot].Span[..block.Length]);
        int from = block.PanelOffset(first) * sizeof(float);
        int to = next == block.Panels ? block.BiasOffset * sizeof(float) : block.PanelOffset(next) * sizeof(float);
        try
        {
            _file.ReadExactly(layer, _file.Layers[layer].Offset + from, bytes[from..to]);
        }
        catch (Exception e)
        {
            _error ??= e;
            Fault(slot);
            throw new WeightsFormatException($"Reading the weights from '{_file.Path}' failed: {e.Message}", _file.Path, null);
        }

        Interlocked.Add(ref _bytesRead, to - from);
        int[] done = _done[slot];
        Interlocked.Exchange(ref done[chunk], 1);
        int chunks = Chunks(block);
        while (true)
        {
            int front = Volatile.Read(ref _ready[slot]);
            if (front == Faulted || front >= chunks || Volatile.Read(ref done[front]) == 0)
            {
                break;
            }

            Interlocked.CompareExchange(ref _ready[slot], front + 1, front);
        }

        _progress.Set();
    }

    private void Fault(int slot)
    {
        Volatile.Write(ref _ready[slot], Faulted);
        _progress.Set();
    }
}
