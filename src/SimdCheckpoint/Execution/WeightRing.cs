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
/// <c>started</c> (blocks the reader has begun, 0 at first). Within a block the reader reads the bias first, then the
/// column panels in order, in chunks of about <see cref="DefaultChunkBytes"/>, and publishes after each chunk how many panels
/// are complete, so the compute can run the panels already read while the rest arrive: when the read is the bottleneck
/// (batch 1) the compute follows the reader closely and finds each panel still in the cache the read left it in, instead
/// of reading the whole block back from memory once it is complete. Neither side allocates: blocks are read with
/// positional reads (<see cref="System.IO.RandomAccess"/>) into the slots, which never move (pinned arrays). A read
/// error faults the ring: every later call rethrows it.
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
                    ReadBlock(i, i);
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

            _reader = new Thread(ReadLoop) { IsBackground = true, Name = "SimdCheckpoint weight reader" };
            _reader.Start();
        }
    }

    /// <summary>Whether every layer stays in its own buffer (read once at construction).</summary>
    public bool Resident { get; }

    /// <summary>The buffers.</summary>
    public int Slots => _slots.Length;

    /// <summary>Bytes read from the file since the ring was created (the checksum pass excluded).</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// Waits until the reader has begun the next block of the sequence, which is layer <paramref name="layer"/>'s (the
    /// caller takes them in order), and gives its buffer; <see cref="WaitForPanels"/> says how much of it is read, and
    /// <see cref="Release"/> hands the buffer back once the layer is computed.
    /// </summary>
    public ReadOnlySpan<float> Acquire(int layer)
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
    public int WaitForPanels(int layer, int panels)
    {
        if (Resident)
        {
            return _blocks[layer].Panels;
        }

        int now = WaitReady(panels);
        if (now == Faulted)
        {
            Exception error = _error!;
            throw new WeightsFormatException($"Reading the weights from '{_file.Path}' failed: {error.Message}", _file.Path, null);
        }

        return now;
    }

    /// <summary>
    /// Hands the buffer of the block last acquired back to the reader; a block not yet fully read is waited for first, so
    /// the reader never has a buffer taken from under it.
    /// </summary>
    public void Release(int layer)
    {
        if (Resident)
        {
            return;
        }

        WaitReady(_blocks[layer].Panels);
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

    /// <summary>Waits until the block last acquired has at least <paramref name="panels"/> panels read, or the read failed.</summary>
    private int WaitReady(int panels)
    {
        ref int ready = ref _ready[(int)(_consumed % _slots.Length)];
        int now = Volatile.Read(ref ready);
        while (now < panels)
        {
            // The reader publishes every chunk and then sets the event; reset, look again, and only then sleep, so a
            // publication between the look and the reset is never missed. Blocking (after a short spin) rather than
            // spinning leaves the core to the reader on a machine with fewer free cores than threads.
            _progress.Reset();
            now = Volatile.Read(ref ready);
            if (now >= panels)
            {
                break;
            }

            _progress.Wait();
            now = Volatile.Read(ref ready);
        }

        return now;
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
            Volatile.Write(ref _ready[slot], 0);
            _started.Release();
            if (_error is not null)
            {
                Volatile.Write(ref _ready[slot], Faulted);
                _progress.Set();
                continue;
            }

            try
            {
                ReadBlock((int)(g % layers), slot);
            }
            catch (Exception e)
            {
                _error = e;
                Volatile.Write(ref _ready[slot], Faulted);
                _progress.Set();
            }
        }
    }

    /// <summary>Reads layer <paramref name="layer"/>'s block into slot <paramref name="slot"/>: the bias, then the panels in chunks, publishing each.</summary>
    private void ReadBlock(int layer, int slot)
    {
        PackedLayer block = _blocks[layer];
        Span<byte> bytes = MemoryMarshal.AsBytes(_slots[slot].Span[..block.Length]);
        long offset = _file.Layers[layer].Offset;
        int bias = block.BiasOffset * sizeof(float);
        _file.ReadExactly(layer, offset + bias, bytes[bias..]);
        int chunkPanels = Math.Max(1, _chunkBytes / (block.PanelStride * sizeof(float)));
        for (int first = 0; first < block.Panels;)
        {
            int next = Math.Min(block.Panels, first + chunkPanels);
            int from = block.PanelOffset(first) * sizeof(float);
            int to = next == block.Panels ? bias : block.PanelOffset(next) * sizeof(float);
            _file.ReadExactly(layer, offset + from, bytes[from..to]);
            Volatile.Write(ref _ready[slot], next);
            _progress.Set();
            first = next;
        }

        Interlocked.Add(ref _bytesRead, bytes.Length);
    }
}
