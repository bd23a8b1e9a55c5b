using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SimdCheckpoint;

/// <summary>
/// A packed weights file (<c>.sckw</c>): a network's weights in exactly the panel layout its kernels read, one block per
/// dense layer at a 4096-byte aligned offset, behind a header that names the spec (fingerprint and panel width), where
/// each block is and its SHA-256. Such a file is read into memory without repacking
/// (<see cref="NetworkWeights{TNetwork}.FromPacked(string)"/>) or streamed layer by layer within a memory budget
/// (<see cref="StreamingSession{TNetwork}"/>). <see cref="Open"/> validates the header (its own checksum, the file's
/// length, every block inside the file and aligned) before anything is used; <see cref="VerifyChecksums"/> reads every
/// block and compares its SHA-256.
/// </summary>
/// <remarks>
/// The format, little-endian (docs/streaming.md): 64 bytes of fixed header (magic <c>SCKW\r\n\x1A\n</c>, version, header
/// length, panel width, layer count, file length, the 16-digit spec fingerprint, zeros), then 64 bytes per layer (inputs,
/// outputs, offset, length in bytes, 8 zero bytes, SHA-256 of the block), then the SHA-256 of everything before it.
/// Blocks follow at multiples of <see cref="BlockAlignment"/>, zero-padded between them; a block is the layer's
/// <see cref="PackedLayer.Length"/> floats, so panels keep their 64-byte alignment in a buffer that is aligned.
/// </remarks>
public sealed class PackedWeightsFile : IDisposable
{
    /// <summary>The version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Blocks start on multiples of this many bytes (a page; what direct and memory-mapped reads want).</summary>
    public const int BlockAlignment = 4096;

    internal const int FixedHeaderBytes = 64;
    internal const int EntryBytes = 64;
    internal const int ChecksumBytes = 32;

    /// <summary>A sanity bound on the layer count, so a header that lies cannot make the reader allocate much.</summary>
    internal const int MaxLayers = 1 << 20;

    private static ReadOnlySpan<byte> Magic => "SCKW\r\n\u001A\n"u8;

    private readonly PackedWeightsEntry[] _layers;

    private PackedWeightsFile(string path, SafeFileHandle handle, long length, int panelWidth, string fingerprint, PackedWeightsEntry[] layers)
    {
        Path = path;
        Handle = handle;
        FileLength = length;
        PanelWidth = panelWidth;
        SpecFingerprint = fingerprint;
        _layers = layers;
    }

    /// <summary>The file, as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The format version (<see cref="FormatVersion"/>).</summary>
    public int Version { get; } = FormatVersion;

    /// <summary>The columns per panel the blocks were packed with (the compiled network's panel width).</summary>
    public int PanelWidth { get; }

    /// <summary>The <see cref="NetworkSpec.Fingerprint"/> of the network the weights were packed for.</summary>
    public string SpecFingerprint { get; }

    /// <summary>One entry per dense layer, in the order the layers run.</summary>
    public IReadOnlyList<PackedWeightsEntry> Layers => _layers;

    /// <summary>The bytes of the header, the layer table and its checksum included.</summary>
    public int HeaderBytes => HeaderLength(_layers.Length);

    /// <summary>The sum of the blocks' lengths: the bytes of weights, without the header and the alignment padding.</summary>
    public long WeightBytes
    {
        get
        {
            long total = 0;
            foreach (PackedWeightsEntry e in _layers)
            {
                total += e.Length;
            }

            return total;
        }
    }

    internal SafeFileHandle Handle { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and validates its header: magic, version, the header's SHA-256, the file's length,
    /// and every block aligned, inside the file and after the one before. The blocks' own checksums are not read here
    /// (<see cref="VerifyChecksums"/>). Dispose the result to close the file.
    /// </summary>
    /// <exception cref="WeightsFormatException">The file is not a well-formed packed weights file; the message says what is wrong.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PackedWeightsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            PackedWeightsFile file = ReadHeader(path, handle);
            return file;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks that the file holds weights for <typeparamref name="TNetwork"/>: the same spec fingerprint and panel width,
    /// one block per dense layer of the right shape and length.
    /// </summary>
    /// <exception cref="WeightsMismatchException">The file was packed for another network or panel width.</exception>
    public void RequireNetwork<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        if (SpecFingerprint != spec.Fingerprint)
        {
            throw new WeightsMismatchException(
                $"'{Path}' was packed for a network with spec fingerprint {SpecFingerprint} ({Describe()}), but {spec.Name} was compiled as "
                + $"{spec.Shape} (fingerprint {spec.Fingerprint}): the file belongs to a different or since-changed network.",
                Path,
                null,
                null);
        }

        if (PanelWidth != TNetwork.PanelWidth)
        {
            throw new WeightsMismatchException(
                $"'{Path}' was packed in panels of {PanelWidth} columns, but {spec.Name}'s kernels read panels of {TNetwork.PanelWidth}: pack the weights again for this build.",
                Path,
                null,
                null);
        }

        PackedNetworkLayout layout = NetworkLayout<TNetwork>.Packed;
        if (_layers.Length != layout.Layers.Count)
        {
            throw new WeightsMismatchException($"'{Path}' holds {_layers.Length} layers; {spec.Name} has {layout.Layers.Count}.", Path, null, null);
        }

        for (int i = 0; i < _layers.Length; i++)
        {
            PackedLayer block = layout.Layers[i];
            PackedWeightsEntry e = _layers[i];
            if (e.Inputs != block.Inputs || e.Outputs != block.Outputs || e.Length != (long)block.Length * sizeof(float))
            {
                throw new WeightsMismatchException(
                    $"Layer {i} of '{Path}' is {e.Inputs} -> {e.Outputs} in {e.Length} bytes; layer {i} ('{spec.Layers[i].Name}') of {spec.Name} is {block.Inputs} -> {block.Outputs} in {(long)block.Length * sizeof(float)} bytes.",
                    Path,
                    null,
                    spec.Layers[i].Name);
            }
        }
    }

    /// <summary>
    /// Reads every block and compares its SHA-256 with the header's, through one buffer of the largest block's size
    /// (allocated here and dropped).
    /// </summary>
    /// <exception cref="WeightsFormatException">A block's checksum differs (the message names the layer).</exception>
    public void VerifyChecksums()
    {
        long largest = 0;
        foreach (PackedWeightsEntry e in _layers)
        {
            largest = Math.Max(largest, e.Length);
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(largest, 64L * 1024 * 1024));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[ChecksumBytes];
        for (int i = 0; i < _layers.Length; i++)
        {
            PackedWeightsEntry e = _layers[i];
            for (long done = 0; done < e.Length;)
            {
                int chunk = (int)Math.Min(buffer.Length, e.Length - done);
                ReadExactly(i, e.Offset + done, buffer.AsSpan(0, chunk));
                hash.AppendData(buffer, 0, chunk);
                done += chunk;
            }

            hash.GetHashAndReset(digest);
            RequireChecksum(i, digest);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => Handle.Dispose();

    /// <summary>"3 layers, panels of 32, fingerprint …", for messages.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{_layers.Length} layer(s), panels of {PanelWidth}, fingerprint {SpecFingerprint}");

    /// <summary>
    /// Writes <paramref name="weights"/> to <paramref name="path"/> as a packed weights file (replacing any file there):
    /// the packed buffer's blocks as they are, so reading it back gives the same bits.
    /// </summary>
    public static void Write<TNetwork>(NetworkWeights<TNetwork> weights, string path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(path);
        PackedNetworkLayout layout = NetworkLayout<TNetwork>.Packed;
        using var writer = new PackedWeightsWriter(path, TNetwork.Spec, TNetwork.PanelWidth);
        for (int i = 0; i < layout.Layers.Count; i++)
        {
            PackedLayer block = layout.Layers[i];
            writer.WritePackedBlock(weights.Packed.Slice(block.WeightOffset, block.Length));
        }

        writer.Complete();
    }

    /// <summary>
    /// Writes the weights <see cref="RandomWeights.Create"/> gives for <typeparamref name="TNetwork"/> and
    /// <paramref name="seed"/> (the same values) straight to a packed file, one layer at a time: networks far larger than
    /// memory can be generated this way, for tests and benchmarks.
    /// </summary>
    public static void WriteRandom<TNetwork>(ulong seed, string path)
        where TNetwork : IGeneratedNetwork<TNetwork>
        => WriteRandom(TNetwork.Spec, TNetwork.PanelWidth, seed, path);

    internal static void WriteRandom(NetworkSpec spec, int panelWidth, ulong seed, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(path);
        using var writer = new PackedWeightsWriter(path, spec, panelWidth);
        var rng = new DeterministicRandom(seed);
        foreach (DenseLayerSpec layer in spec.Layers)
        {
            float bound = 1f / MathF.Sqrt(layer.Inputs);
            float[] w = GC.AllocateUninitializedArray<float>(checked(layer.Inputs * layer.Outputs));
            float[] b = new float[layer.Outputs];
            rng.Fill(w, bound);
            rng.Fill(b, bound);
            writer.WriteLayer(w, b, WeightLayout.InputsByOutputs);
        }

        writer.Complete();
    }

    internal static int HeaderLength(int layers) => FixedHeaderBytes + (layers * EntryBytes) + ChecksumBytes;

    internal static long AlignUp(long value) => (value + BlockAlignment - 1) / BlockAlignment * BlockAlignment;

    /// <summary>The fixed header and layer table (without the trailing checksum) for <paramref name="entries"/>.</summary>
    internal static byte[] EncodeHeader(int panelWidth, string fingerprint, long fileLength, IReadOnlyList<PackedWeightsEntry> entries)
    {
        byte[] header = new byte[HeaderLength(entries.Count)];
        Span<byte> h = header;
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], header.Length);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], panelWidth);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], entries.Count);
        BinaryPrimitives.WriteInt64LittleEndian(h[24..], fileLength);
        Encoding.ASCII.GetBytes(fingerprint, h.Slice(32, 16));
        for (int i = 0; i < entries.Count; i++)
        {
            Span<byte> e = h.Slice(FixedHeaderBytes + (i * EntryBytes), EntryBytes);
            PackedWeightsEntry entry = entries[i];
            BinaryPrimitives.WriteInt32LittleEndian(e, entry.Inputs);
            BinaryPrimitives.WriteInt32LittleEndian(e[4..], entry.Outputs);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], entry.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], entry.Length);
            Convert.FromHexString(entry.Sha256, e.Slice(32, ChecksumBytes), out _, out _);
        }

        int signed = header.Length - ChecksumBytes;
        SHA256.HashData(h[..signed], h[signed..]);
        return header;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, for layer <paramref name="layer"/>; the file ending first is a format error.</summary>
    internal void ReadExactly(int layer, long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(Handle, destination, offset);
            if (read <= 0)
            {
                throw new WeightsFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"'{Path}' ended at byte {offset} inside layer {layer}'s block: the file was truncated after it was opened."),
                    Path,
                    LayerTensor(layer));
            }

            destination = destination[read..];
            offset += read;
        }
    }

    internal void RequireChecksum(int layer, ReadOnlySpan<byte> digest)
    {
        if (!string.Equals(Convert.ToHexStringLower(digest), _layers[layer].Sha256, StringComparison.Ordinal))
        {
            throw new WeightsFormatException(
                $"Layer {layer}'s block in '{Path}' does not match its SHA-256 (expected {_layers[layer].Sha256}, read {Convert.ToHexStringLower(digest)}): the file is damaged or was changed.",
                Path,
                LayerTensor(layer));
        }
    }

    /// <summary>Reads layer <paramref name="layer"/>'s block into <paramref name="destination"/> (its length in floats) and checks its SHA-256.</summary>
    internal void ReadVerified(int layer, Span<float> destination)
    {
        PackedWeightsEntry e = _layers[layer];
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        if (bytes.Length != e.Length)
        {
            throw new ArgumentException($"Layer {layer}'s block is {e.Length} bytes; the destination holds {bytes.Length}.", nameof(destination));
        }

        ReadExactly(layer, e.Offset, bytes);
        Span<byte> digest = stackalloc byte[ChecksumBytes];
        SHA256.HashData(bytes, digest);
        RequireChecksum(layer, digest);
    }

    private static string LayerTensor(int layer) => "layer " + layer.ToString(CultureInfo.InvariantCulture);

    private static PackedWeightsFile ReadHeader(string path, SafeFileHandle handle)
    {
        long length = RandomAccess.GetLength(handle);
        int minimum = HeaderLength(0);
        if (length < minimum)
        {
            throw Format(path, $"is {length} bytes long; a packed weights file is at least {minimum} (its header): the file is truncated or not a .sckw file.");
        }

        Span<byte> fixedHeader = stackalloc byte[FixedHeaderBytes];
        ReadHeaderBytes(path, handle, fixedHeader);
        if (!fixedHeader[..8].SequenceEqual(Magic))
        {
            throw Format(path, $"does not start with the packed weights magic 'SCKW\\r\\n\\x1A\\n' (it starts with {Convert.ToHexString(fixedHeader[..8])}): not a .sckw file.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader[8..]);
        if (version != FormatVersion)
        {
            throw Format(path, $"is packed weights format version {version}; this library reads version {FormatVersion}.");
        }

        int layers = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader[20..]);
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(fixedHeader[12..]);
        if (layers < 1 || layers > MaxLayers || headerLength != HeaderLength(layers))
        {
            throw Format(path, $"has a header that lies: {layers} layer(s) in {headerLength} header bytes (a header of 1..{MaxLayers} layers is {FixedHeaderBytes} + 64 per layer + {ChecksumBytes} bytes).");
        }

        if (headerLength > length)
        {
            throw Format(path, $"is {length} bytes long, shorter than its own header ({headerLength} bytes for {layers} layers): the file is truncated.");
        }

        byte[] header = new byte[headerLength];
        ReadHeaderBytes(path, handle, header);
        int signed = headerLength - ChecksumBytes;
        Span<byte> digest = stackalloc byte[ChecksumBytes];
        SHA256.HashData(header.AsSpan(0, signed), digest);
        if (!digest.SequenceEqual(header.AsSpan(signed)))
        {
            throw Format(path, "has a header whose SHA-256 does not match its contents: the header is damaged or was edited.");
        }

        long declared = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        if (declared != length)
        {
            throw Format(path, $"is {length} bytes long but its header says {declared}: the file is {(length < declared ? "truncated" : "longer than written")}.");
        }

        int panelWidth = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        if (panelWidth <= 0 || panelWidth % PackedLayer.TailGranule != 0)
        {
            throw Format(path, $"declares a panel width of {panelWidth}; it must be a positive multiple of {PackedLayer.TailGranule}.");
        }

        ReadOnlySpan<byte> fingerprintBytes = header.AsSpan(32, 16);
        foreach (byte b in fingerprintBytes)
        {
            if (!char.IsAsciiHexDigitLower((char)b) && !char.IsAsciiDigit((char)b))
            {
                throw Format(path, "has a spec fingerprint that is not 16 lower-case hexadecimal digits.");
            }
        }

        string fingerprint = Encoding.ASCII.GetString(fingerprintBytes);
        var entries = new PackedWeightsEntry[layers];
        long next = AlignUp(headerLength);
        for (int i = 0; i < layers; i++)
        {
            ReadOnlySpan<byte> e = header.AsSpan(FixedHeaderBytes + (i * EntryBytes), EntryBytes);
            int inputs = BinaryPrimitives.ReadInt32LittleEndian(e);
            int outputs = BinaryPrimitives.ReadInt32LittleEndian(e[4..]);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            long size = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            string where = string.Create(CultureInfo.InvariantCulture, $"layer {i}'s block (offset {offset}, {size} bytes)");
            if (inputs <= 0 || outputs <= 0)
            {
                throw Format(path, string.Create(CultureInfo.InvariantCulture, $"says layer {i} is {inputs} -> {outputs}; a layer has at least one input and one output."), i);
            }

            if (offset < next || offset % BlockAlignment != 0)
            {
                throw Format(path, string.Create(CultureInfo.InvariantCulture, $"puts {where} at an offset that is not a multiple of {BlockAlignment} at or after {next} (the end of the header or of the block before)."), i);
            }

            if (size <= 0 || size % (PackedLayer.Alignment * sizeof(float)) != 0 || size > int.MaxValue)
            {
                throw Format(path, string.Create(CultureInfo.InvariantCulture, $"gives {where} a length that is not a positive multiple of {PackedLayer.Alignment * sizeof(float)} bytes up to 2 GiB."), i);
            }

            if (offset > length - size)
            {
                throw Format(path, string.Create(CultureInfo.InvariantCulture, $"puts {where} past the end of the file ({length} bytes)."), i);
            }

            entries[i] = new PackedWeightsEntry(i, inputs, outputs, offset, size, Convert.ToHexStringLower(e.Slice(32, ChecksumBytes)));
            next = AlignUp(offset + size);
        }

        return new PackedWeightsFile(path, handle, length, panelWidth, fingerprint, entries);
    }

    private static void ReadHeaderBytes(string path, SafeFileHandle handle, Span<byte> destination)
    {
        long offset = 0;
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(handle, destination, offset);
            if (read <= 0)
            {
                throw Format(path, "ended inside its header: the file is truncated.");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    private static WeightsFormatException Format(string path, string message, int layer = -1) =>
        new($"'{path}' {message}", path, layer < 0 ? null : LayerTensor(layer));
}

/// <summary>One dense layer's block in a <see cref="PackedWeightsFile"/>.</summary>
public sealed class PackedWeightsEntry
{
    internal PackedWeightsEntry(int index, int inputs, int outputs, long offset, long length, string sha256)
    {
        Index = index;
        Inputs = inputs;
        Outputs = outputs;
        Offset = offset;
        Length = length;
        Sha256 = sha256;
    }

    /// <summary>The layer's index in the network.</summary>
    public int Index { get; }

    /// <summary>K.</summary>
    public int Inputs { get; }

    /// <summary>N.</summary>
    public int Outputs { get; }

    /// <summary>Where the block starts in the file, in bytes (a multiple of <see cref="PackedWeightsFile.BlockAlignment"/>).</summary>
    public long Offset { get; }

    /// <summary>The block's length in bytes: the layer's <see cref="PackedLayer.Length"/> floats.</summary>
    public long Length { get; }

    /// <summary>The block's SHA-256, 64 lower-case hexadecimal digits.</summary>
    public string Sha256 { get; }
}
