using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace SimdCheckpoint;

/// <summary>
/// Writes a <see cref="PackedWeightsFile"/> one layer at a time, in order, so a network need never be whole in memory:
/// zeros where the header goes, each block at its aligned offset (hashed as it is written), then the header. A file
/// that is not completed keeps a zero header, which <see cref="PackedWeightsFile.Open"/> rejects.
/// </summary>
internal sealed class PackedWeightsWriter : IDisposable
{
    private readonly string _path;
    private readonly NetworkSpec _spec;
    private readonly int _panelWidth;
    private readonly SafeFileHandle _handle;
    private readonly List<PackedWeightsEntry> _entries = [];
    private AlignedBuffer? _pack;
    private long _next;
    private bool _completed;

    public PackedWeightsWriter(string path, NetworkSpec spec, int panelWidth)
    {
        _path = path;
        _spec = spec;
        _panelWidth = panelWidth;
        _ = PackedNetworkLayout.For(spec, panelWidth); // the same checks the kernels' layout makes
        _next = PackedWeightsFile.AlignUp(PackedWeightsFile.HeaderLength(spec.Layers.Count));
        _handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
    }

    /// <summary>Packs the next layer from its weight (in <paramref name="layout"/>) and bias, and writes it.</summary>
    public void WriteLayer(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, WeightLayout layout)
    {
        PackedLayer block = NextBlock();
        if (weight.Length != (long)block.Inputs * block.Outputs || bias.Length != block.Outputs)
        {
            throw new ArgumentException($"Layer {_entries.Count} of {_spec.Name} is {block.Inputs} -> {block.Outputs}: it needs {(long)block.Inputs * block.Outputs} weights and {block.Outputs} biases, got {weight.Length} and {bias.Length}.");
        }

        if (_pack is not { } pack || pack.Length < block.Length)
        {
            pack = AlignedBuffer.Allocate(block.Length);
            _pack = pack;
        }

        WeightPacker.Pack(block, weight, bias, layout, pack.Span);
        WriteBlock(block, pack.Span[..block.Length]);
    }

    /// <summary>Writes the next layer's block, already packed (its <see cref="PackedLayer.Length"/> floats).</summary>
    public void WritePackedBlock(ReadOnlySpan<float> packed)
    {
        PackedLayer block = NextBlock();
        if (packed.Length != block.Length)
        {
            throw new ArgumentException($"Layer {_entries.Count}'s packed block is {block.Length} floats; got {packed.Length}.", nameof(packed));
        }

        WriteBlock(block, packed);
    }

    /// <summary>Writes the header once every layer is written; the file is valid from then on.</summary>
    public void Complete()
    {
        if (_entries.Count != _spec.Layers.Count)
        {
            throw new InvalidOperationException($"{_entries.Count} of {_spec.Layers.Count} layers of {_spec.Name} were written.");
        }

        PackedWeightsEntry last = _entries[^1];
        long length = last.Offset + last.Length;
        RandomAccess.SetLength(_handle, length);
        byte[] header = PackedWeightsFile.EncodeHeader(_panelWidth, _spec.Fingerprint, length, _entries);
        RandomAccess.Write(_handle, header, 0);
        RandomAccess.FlushToDisk(_handle);
        _completed = true;
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (!_completed)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // The zero header already makes the partial file unreadable as packed weights.
            }
        }
    }

    private PackedLayer NextBlock()
    {
        if (_completed || _entries.Count >= _spec.Layers.Count)
        {
            throw new InvalidOperationException($"All {_spec.Layers.Count} layers of {_spec.Name} have been written.");
        }

        DenseLayerSpec layer = _spec.Layers[_entries.Count];
        PackedLayer block = PackedLayer.For(layer.Inputs, layer.Outputs, _panelWidth, 0);
        if ((long)block.Length * sizeof(float) > int.MaxValue)
        {
            throw new NotSupportedException($"Layer {_entries.Count} ('{layer.Name}') of {_spec.Name} packs to {(long)block.Length * sizeof(float)} bytes; a packed weights file holds blocks of up to 2 GiB.");
        }

        return block;
    }

    private void WriteBlock(PackedLayer block, ReadOnlySpan<float> packed)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(packed);
        Span<byte> digest = stackalloc byte[PackedWeightsFile.ChecksumBytes];
        SHA256.HashData(bytes, digest);
        RandomAccess.Write(_handle, bytes, _next);
        _entries.Add(new PackedWeightsEntry(_entries.Count, block.Inputs, block.Outputs, _next, bytes.Length, Convert.ToHexStringLower(digest)));
        _next = PackedWeightsFile.AlignUp(_next + bytes.Length);
    }
}
