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
/// Two counting semaphores carry the hand-over: <c>free</c> (slots the reader may fill, S at first) and <c>filled</c>
/// (blocks ready, 0 at first). Each consumed block releases its slot. Neither side allocates: blocks are read with
/// positional reads (<see cref="System.IO.RandomAccess"/>) into the slots, which never move (pinned arrays). A read error
/// faults the ring: every later call rethrows it.
/// </remarks>
internal sealed class WeightRing : IDisposable
{
    private readonly PackedWeightsFile _file;
    private readonly AlignedBuffer[] _slots;
    private readonly int[] _blockFloats;
    private readonly SemaphoreSlim _free;
    private readonly SemaphoreSlim _filled;
    private readonly Thread? _reader;
    private long _consumed;
    private long _bytesRead;
    private volatile Exception? _error;
    private volatile bool _stopping;

    /// <param name="file">The open, validated file; the ring owns it from here on.</param>
    /// <param name="slots">Buffers; when they hold every layer, each is read once and no reader thread runs.</param>
    /// <param name="slotFloats">Floats per buffer, at least the largest block.</param>
    /// <param name="verify">
    /// Whether to compare every block with its SHA-256 first: as it is read, when resident; otherwise in one pass through
    /// the first buffer before the reader starts (the streamed reads are not hashed: that would cost more than the read).
    /// </param>
    public WeightRing(PackedWeightsFile file, int slots, int slotFloats, bool verify)
    {
        _file = file;
        int layers = file.Layers.Count;
        _blockFloats = new int[layers];
        for (int i = 0; i < layers; i++)
        {
            _blockFloats[i] = (int)(file.Layers[i].Length / sizeof(float));
        }

        Resident = slots >= layers;
        _slots = new AlignedBuffer[Resident ? layers : slots];
        for (int s = 0; s < _slots.Length; s++)
        {
            _slots[s] = AlignedBuffer.Allocate(Resident ? _blockFloats[s] : slotFloats);
        }

        _free = new SemaphoreSlim(_slots.Length);
        _filled = new SemaphoreSlim(0);
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
                    Read(i, i);
                }
            }
        }
        else
        {
            if (verify)
            {
                for (int i = 0; i < layers; i++)
                {
                    _file.ReadVerified(i, _slots[0].Span[.._blockFloats[i]]);
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

    /// <summary>Bytes read from the file since the ring was created.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// Waits for the next block of the sequence, which is layer <paramref name="layer"/>'s (the caller takes them in
    /// order), and gives it; <see cref="Release"/> hands its slot back once the layer is computed.
    /// </summary>
    public ReadOnlySpan<float> Acquire(int layer)
    {
        if (Resident)
        {
            return _slots[layer].Span;
        }

        _filled.Wait();
        if (_error is { } error)
        {
            _free.Release();
            _consumed++;
            throw new WeightsFormatException($"Reading the weights from '{_file.Path}' failed: {error.Message}", _file.Path, null);
        }

        return _slots[(int)(_consumed % _slots.Length)].Span[.._blockFloats[layer]];
    }

    /// <summary>Hands the slot of the block last acquired back to the reader.</summary>
    public void Release()
    {
        if (Resident)
        {
            return;
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
    }

    private void ReadLoop()
    {
        int layers = _blockFloats.Length;
        for (long g = 0; ; g++)
        {
            _free.Wait();
            if (_stopping)
            {
                return;
            }

            if (_error is null)
            {
                try
                {
                    Read((int)(g % layers), (int)(g % _slots.Length));
                }
                catch (Exception e)
                {
                    _error = e;
                }
            }

            _filled.Release();
        }
    }

    private void Read(int layer, int slot)
    {
        Span<float> block = _slots[slot].Span[.._blockFloats[layer]];
        PackedWeightsEntry entry = _file.Layers[layer];
        _file.ReadExactly(layer, entry.Offset, MemoryMarshal.AsBytes(block));
        Interlocked.Add(ref _bytesRead, entry.Length);
    }
}
