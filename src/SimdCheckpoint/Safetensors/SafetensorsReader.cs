using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SimdCheckpoint.Safetensors;

/// <summary>
/// Reads the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the data. Every header entry is checked
/// against the file before any data is read, so a truncated file or a header that lies is reported by tensor name.
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    /// <summary>The format's own limit on the header, which also bounds what a corrupt length can make us allocate.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors;
    private readonly Dictionary<string, string> _metadata;

    private SafetensorsReader(Stream stream, bool leaveOpen, string sourceName)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        SourceName = sourceName;
        _tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        _metadata = new Dictionary<string, string>(StringComparer.Ordinal);

        long origin = stream.Position;
        long available = stream.Length - origin;
        Span<byte> prefix = stackalloc byte[8];
        if (available < 8)
        {
            throw Format($"'{sourceName}' is truncated: it has {available} bytes, fewer than the 8-byte header length that starts a safetensors file.");
        }

        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw Format($"'{sourceName}' declares a header of {headerLength} bytes, beyond the format's limit of {MaxHeaderBytes}; the file is corrupt or not safetensors.");
        }

        if ((long)headerLength > available - 8)
        {
            throw Format($"'{sourceName}' declares a header of {headerLength} bytes, but only {available - 8} bytes follow the length; the file is truncated or corrupt.");
        }

        byte[] header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        _dataStart = origin + 8 + (long)headerLength;
        DataLength = available - 8 - (long)headerLength;
        ParseHeader(header);
    }

    /// <summary>The file name, or the name given for a stream; every error message uses it.</summary>
    public string SourceName { get; }

    /// <summary>The size of the data section in bytes.</summary>
    public long DataLength { get; }

    /// <summary>Every tensor the header lists, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => _tensors;

    /// <summary>The header's <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Opens a file.</summary>
    /// <exception cref="WeightsFormatException">The file is not well-formed safetensors.</exception>
    public static SafetensorsReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            return new SafetensorsReader(stream, leaveOpen: false, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads from a stream, starting at its current position. A stream that cannot seek is first copied into memory.
    /// </summary>
    /// <param name="stream">The source.</param>
    /// <param name="sourceName">What error messages call the source.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <exception cref="WeightsFormatException">The stream is not well-formed safetensors.</exception>
    public static SafetensorsReader Open(Stream stream, string sourceName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            return new SafetensorsReader(copy, leaveOpen: false, sourceName);
        }

        try
        {
            return new SafetensorsReader(stream, leaveOpen, sourceName);
        }
        catch when (!leaveOpen)
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads an F32 tensor into <paramref name="destination"/>, which must hold exactly its elements.</summary>
    /// <exception cref="WeightsMismatchException">The tensor is not F32 or the destination has the wrong length.</exception>
    public void ReadFloat32(SafetensorsTensorInfo tensor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType != "F32")
        {
            throw new WeightsMismatchException(
                $"Tensor '{tensor.Name}' in '{SourceName}' has dtype {tensor.DType}; only F32 tensors can be loaded.", SourceName, tensor.Name, null);
        }

        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.ElementCount} elements; the destination has {destination.Length}.", nameof(destination));
        }

        _stream.Position = _dataStart + tensor.Begin;
        try
        {
            _stream.ReadExactly(MemoryMarshal.AsBytes(destination));
        }
        catch (EndOfStreamException)
        {
            throw new WeightsFormatException($"'{SourceName}' ended inside tensor '{tensor.Name}' (the file changed or is truncated).", SourceName, tensor.Name);
        }

        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>The size of one element, or 0 for a dtype this reader does not know.</summary>
    public static int DTypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    private void ParseHeader(byte[] header)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and fails only when one is read, with an
        // InvalidOperationException: check the encoding first (found by SafetensorsFuzzTests).
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw Format($"The header of '{SourceName}' is not valid UTF-8 (the format requires UTF-8 JSON).");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Format($"The header of '{SourceName}' is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Format($"The header of '{SourceName}' must be a JSON object, not {doc.RootElement.ValueKind}.");
            }

            foreach (JsonProperty entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    ParseMetadata(entry.Value);
                    continue;
                }

                if (_tensors.ContainsKey(entry.Name))
                {
                    throw Format($"The header of '{SourceName}' lists tensor '{entry.Name}' twice.", entry.Name);
                }

                _tensors.Add(entry.Name, ParseTensor(entry.Name, entry.Value));
            }
        }
    }

    private void ParseMetadata(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Format($"The __metadata__ of '{SourceName}' must be an object of strings.");
        }

        foreach (JsonProperty p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw Format($"The __metadata__ entry '{p.Name}' of '{SourceName}' must be a string.");
            }

            _metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private SafetensorsTensorInfo ParseTensor(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Format($"Tensor '{name}' in '{SourceName}': its header entry must be an object.", name);
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Format($"Tensor '{name}' in '{SourceName}' has no \"dtype\" string.", name);
        }

        string dtype = dtypeElement.GetString()!;
        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Format($"Tensor '{name}' in '{SourceName}' has no \"shape\" array.", name);
        }

        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int d = 0;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size) || size < 0)
            {
                throw Format($"Tensor '{name}' in '{SourceName}' has a shape entry that is not a non-negative integer: {dim.GetRawText()}.", name);
            }

            shape[d++] = size;
            try
            {
                count = checked(count * size);
            }
            catch (OverflowException)
            {
                throw Format($"Tensor '{name}' in '{SourceName}' has a shape whose element count overflows: {SafetensorsTensorInfo.FormatShape(shape)}.", name);
            }
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw Format($"Tensor '{name}' in '{SourceName}' needs \"data_offsets\": [begin, end] with 0 <= begin <= end.", name);
        }

        int elementSize = DTypeSize(dtype);
        if (elementSize > 0)
        {
            long needed;
            try
            {
                needed = checked(count * elementSize);
            }
            catch (OverflowException)
            {
                throw Format($"Tensor '{name}' in '{SourceName}' is too large: {count} elements of {dtype}.", name);
            }

            if (end - begin != needed)
            {
                throw Format(
                    $"Tensor '{name}' in '{SourceName}': data_offsets [{begin}, {end}) hold {end - begin} bytes, but dtype {dtype} with shape {SafetensorsTensorInfo.FormatShape(shape)} needs {needed}.",
                    name);
            }
        }

        if (end > DataLength)
        {
            throw Format(
                $"'{SourceName}' is truncated: tensor '{name}' needs bytes [{begin}, {end}) of the data section, which has only {DataLength} bytes.",
                name);
        }

        return new SafetensorsTensorInfo(name, dtype, shape, begin, end, count);
    }

    private WeightsFormatException Format(string message, string? tensor = null) => new(message, SourceName, tensor);
}
