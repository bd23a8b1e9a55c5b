using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace SimdCheckpoint.Npy;

/// <summary>
/// NumPy's <c>.npy</c> format for float32 arrays: the inputs and outputs of the command line. Reads versions 1.0, 2.0
/// and 3.0 with <c>descr</c> <c>'&lt;f4'</c> and C order, checking everything (magic, header dictionary, shape, the
/// exact data length) before it allocates; anything else is an <see cref="NpyFormatException"/> that says what and
/// where. Writes version 1.0 (2.0 when the header needs it), header padded to 64 bytes, as <c>numpy.save</c> does.
/// </summary>
public static class NpyFile
{
    /// <summary>The most elements an array may hold (the largest float array .NET allocates).</summary>
    public const long MaxElements = 0x7FFFFFC7;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a float32 array from a file.</summary>
    /// <exception cref="NpyFormatException">The file is not a little-endian float32, C-order .npy, or is truncated or longer than its header says.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a float32 array from a stream, to its end (trailing data is rejected; a stream that cannot seek is buffered first).</summary>
    public static NpyArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanSeek)
        {
            // Lengths are checked against what actually arrived before anything is allocated for the data.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Read(copy, sourceName);
        }

        long start = stream.Position;
        Span<byte> preamble = stackalloc byte[12];
        int got = ReadAtMost(stream, preamble);
        int headerLength = ParsePreamble(preamble[..got], sourceName, out int preambleLength);
        stream.Position = start + preambleLength;
        if (stream.Length - stream.Position < headerLength)
        {
            throw new NpyFormatException($"The header says it is {headerLength} bytes, but the file ends before it does.", sourceName);
        }

        byte[] header = new byte[headerLength];
        if (ReadAtMost(stream, header) != headerLength)
        {
            throw new NpyFormatException($"The header says it is {headerLength} bytes, but the file ends before it does.", sourceName);
        }

        int[] shape = ParseHeader(header, preamble[6], sourceName, out long count);
        long bytes = count * sizeof(float);
        if (stream.Length - stream.Position != bytes)
        {
            long actual = stream.Length - stream.Position;
            throw new NpyFormatException(
                actual < bytes
                    ? $"The shape ({ShapeText(shape)}) needs {bytes:N0} bytes of data; the file has {actual:N0} (truncated)."
                    : $"The shape ({ShapeText(shape)}) needs {bytes:N0} bytes of data; the file has {actual:N0}, {actual - bytes:N0} more than the header says.",
                sourceName);
        }

        float[] data = GC.AllocateUninitializedArray<float>((int)count);
        Span<byte> target = MemoryMarshal.AsBytes(data.AsSpan());
        int read = ReadAtMost(stream, target);
        if (read != target.Length)
        {
            throw new NpyFormatException($"The shape ({ShapeText(shape)}) needs {bytes:N0} bytes of data; the stream ended after {read:N0} (truncated).", sourceName);
        }

        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        return new NpyArray(shape, data);
    }

    /// <summary>
    /// Reads an integer array (token ids, token types, an attention mask): little-endian int64 (<c>'&lt;i8'</c>, what
    /// PyTorch and NumPy write by default) or int32 (<c>'&lt;i4'</c>), C order; each value must fit an int.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is not such an array, or an int64 value does not fit an int.</exception>
    public static NpyIntArray ReadIntegers(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        string source = Path.GetFileName(path);
        int headerLength = ParsePreamble(bytes.AsSpan(0, Math.Min(12, bytes.Length)), source, out int preambleLength);
        if (bytes.Length - preambleLength < headerLength)
        {
            throw new NpyFormatException($"The header says it is {headerLength} bytes, but the file ends before it does.", source);
        }

        int[] shape = ParseHeader(bytes.AsSpan(preambleLength, headerLength).ToArray(), bytes[6], source, out long count, integers: true, out string descr);
        int size = descr == "<i8" ? 8 : 4;
        long dataStart = preambleLength + headerLength;
        if (bytes.Length - dataStart != count * size)
        {
            throw new NpyFormatException($"The shape ({ShapeText(shape)}) needs {count * size:N0} bytes of data; the file has {bytes.Length - dataStart:N0}.", source);
        }

        var data = new int[count];
        for (long i = 0; i < count; i++)
        {
            if (size == 4)
            {
                data[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)(dataStart + (i * 4)), 4));
                continue;
            }

            long value = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(dataStart + (i * 8)), 8));
            if (value is < int.MinValue or > int.MaxValue)
            {
                throw new NpyFormatException($"Element {i} is {value}, which does not fit a 32-bit integer.", source);
            }

            data[i] = (int)value;
        }

        return new NpyIntArray(shape, data);
    }

    /// <summary>Reads a float32 array from bytes in memory.</summary>
    public static NpyArray Read(ReadOnlyMemory<byte> bytes, string sourceName)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, sourceName);
    }

    /// <summary>Writes a float32 array of the given shape (C order, little-endian) to a file.</summary>
    /// <exception cref="ArgumentException">The shape has a negative dimension or does not hold exactly <paramref name="data"/>'s length.</exception>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.Create(path);
        Write(stream, data, shape);
    }

    /// <summary>Writes a float32 array of the given shape (C order, little-endian) to a stream.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long count = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count *= d;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"The shape ({ShapeText(shape.ToArray())}) holds {count} values; the data has {data.Length}.", nameof(shape));
        }

        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({ShapeText(shape.ToArray())}), }}";
        int version = dictionary.Length + 1 + 10 > ushort.MaxValue ? 2 : 1;
        int preamble = version == 1 ? 10 : 12;
        int total = (preamble + dictionary.Length + 1 + 63) / 64 * 64;
        var header = new StringBuilder(dictionary).Append(' ', total - preamble - dictionary.Length - 1).Append('\n');
        Span<byte> start = stackalloc byte[12];
        Magic.CopyTo(start);
        start[6] = (byte)version;
        start[7] = 0;
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(start[8..], (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(start[8..], (uint)header.Length);
        }

        stream.Write(start[..preamble]);
        stream.Write(Encoding.ASCII.GetBytes(header.ToString()));
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
        }
        else
        {
            Span<byte> word = stackalloc byte[4];
            foreach (float value in data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(word, value);
                stream.Write(word);
            }
        }
    }

    private static int ParsePreamble(ReadOnlySpan<byte> preamble, string source, out int length)
    {
        if (preamble.Length < 10 || !preamble[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException("It does not start with the .npy magic \\x93NUMPY: not a NumPy .npy file.", source);
        }

        byte major = preamble[6];
        if (major is < 1 or > 3)
        {
            throw new NpyFormatException($"Format version {major}.{preamble[7]} is not supported (1.0, 2.0 and 3.0 are).", source);
        }

        if (major == 1)
        {
            length = 10;
            return BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        }

        if (preamble.Length < 12)
        {
            throw new NpyFormatException("The file ends inside the header length.", source);
        }

        length = 12;
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        if (headerLength > 1 << 20)
        {
            throw new NpyFormatException($"The header says it is {headerLength:N0} bytes; more than 1 MiB is not a header.", source);
        }

        return (int)headerLength;
    }

    private static int[] ParseHeader(byte[] header, byte major, string source, out long count) => ParseHeader(header, major, source, out count, integers: false, out _);

    private static int[] ParseHeader(byte[] header, byte major, string source, out long count, bool integers, out string descr)
    {
        string text;
        try
        {
            text = (major == 3 ? new UTF8Encoding(false, true) : (Encoding)Encoding.ASCII).GetString(header);
        }
        catch (DecoderFallbackException)
        {
            throw new NpyFormatException("The header is not valid UTF-8.", source);
        }

        if (major < 3)
        {
            foreach (byte b in header)
            {
                if (b > 0x7F)
                {
                    throw new NpyFormatException($"The header has a non-ASCII byte 0x{b:X2} (versions 1 and 2 are ASCII).", source);
                }
            }
        }

        Dictionary<string, object> entries = new HeaderParser(text, source).ParseDictionary();
        foreach (string key in new[] { "descr", "fortran_order", "shape" })
        {
            if (!entries.ContainsKey(key))
            {
                throw new NpyFormatException($"The header has no '{key}'.", source);
            }
        }

        foreach (string key in entries.Keys)
        {
            if (key is not ("descr" or "fortran_order" or "shape"))
            {
                throw new NpyFormatException($"The header has an unknown key '{key}'.", source);
            }
        }

        if (entries["descr"] is not string dtype)
        {
            throw new NpyFormatException("The header's 'descr' is not a string.", source);
        }

        descr = dtype;
        if (integers && descr is not ("<i8" or "<i4"))
        {
            throw new NpyFormatException($"The dtype is '{descr}'; token ids, types and masks must be little-endian int64 ('<i8') or int32 ('<i4').", source);
        }

        if (!integers && descr != "<f4")
        {
            string why = descr switch
            {
                ">f4" => "big-endian float32",
                "<f8" or ">f8" => "float64; convert with array.astype(numpy.float32)",
                "<f2" or ">f2" => "float16; convert with array.astype(numpy.float32)",
                _ => "not float32",
            };
            throw new NpyFormatException($"The dtype is '{descr}' ({why}); only little-endian float32 ('<f4') is supported.", source);
        }

        if (entries["fortran_order"] is not bool fortran)
        {
            throw new NpyFormatException("The header's 'fortran_order' is not True or False.", source);
        }

        if (fortran)
        {
            throw new NpyFormatException("The array is in Fortran (column-major) order; save it with numpy.ascontiguousarray first.", source);
        }

        if (entries["shape"] is not List<long> dims)
        {
            throw new NpyFormatException("The header's 'shape' is not a tuple of integers.", source);
        }

        if (dims.Count > 32)
        {
            throw new NpyFormatException($"The shape has {dims.Count} dimensions; NumPy allows at most 32.", source);
        }

        count = 1;
        int[] shape = new int[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] < 0 || dims[i] > MaxElements || (count *= dims[i]) > MaxElements)
            {
                throw new NpyFormatException($"The shape ({string.Join(", ", dims)}) {(dims[i] < 0 ? "has a negative dimension" : $"holds more than {MaxElements:N0} values")}.", source);
            }

            shape[i] = (int)dims[i];
        }

        return shape; // a 0-d array (shape ()) holds one value
    }

    private static string ShapeText(int[] shape) => shape.Length == 1
        ? shape[0].ToString(CultureInfo.InvariantCulture) + ","
        : string.Join(", ", Array.ConvertAll(shape, d => d.ToString(CultureInfo.InvariantCulture)));

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>The Python literal subset .npy headers use: a dict of str keys to str, True/False, or a tuple of ints.</summary>
    private ref struct HeaderParser(string text, string source)
    {
        private int _at;

        public Dictionary<string, object> ParseDictionary()
        {
            var entries = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _at++;
                    break;
                }

                string key = ParseString();
                Expect(':');
                SkipSpace();
                object value = Peek() switch
                {
                    '\'' or '"' => ParseString(),
                    '(' => ParseTuple(),
                    _ => ParseBool(),
                };
                if (!entries.TryAdd(key, value))
                {
                    throw Error($"the key '{key}' appears twice");
                }

                SkipSpace();
                if (Peek() == ',')
                {
                    _at++;
                }
                else if (Peek() != '}')
                {
                    throw Error("expected ',' or '}'");
                }
            }

            SkipSpace();
            if (_at != text.Length)
            {
                throw Error("unexpected text after the dictionary");
            }

            return entries;
        }

        private string ParseString()
        {
            SkipSpace();
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Error("expected a quoted string");
            }

            int end = text.IndexOf(quote, _at + 1);
            if (end < 0)
            {
                throw Error("a string is not closed");
            }

            string value = text[(_at + 1)..end];
            _at = end + 1;
            return value;
        }

        private List<long> ParseTuple()
        {
            var dims = new List<long>();
            Expect('(');
            while (true)
            {
                SkipSpace();
                if (Peek() == ')')
                {
                    _at++;
                    return dims;
                }

                int start = _at;
                while (_at < text.Length && char.IsAsciiDigit(text[_at]))
                {
                    _at++;
                }

                if (_at == start || !long.TryParse(text.AsSpan(start, _at - start), NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                {
                    throw Error("expected a non-negative integer dimension");
                }

                if (dims.Count >= 64)
                {
                    throw Error("too many dimensions");
                }

                dims.Add(d);
                SkipSpace();
                if (Peek() == ',')
                {
                    _at++;
                }
                else if (Peek() != ')')
                {
                    throw Error("expected ',' or ')' in the shape");
                }
            }
        }

        private bool ParseBool()
        {
            if (string.CompareOrdinal(text, _at, "True", 0, 4) == 0)
            {
                _at += 4;
                return true;
            }

            if (string.CompareOrdinal(text, _at, "False", 0, 5) == 0)
            {
                _at += 5;
                return false;
            }

            throw Error("expected a string, a tuple, True or False");
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw Error($"expected '{c}'");
            }

            _at++;
        }

        private readonly char Peek() => _at < text.Length ? text[_at] : '\0';

        private void SkipSpace()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        private readonly NpyFormatException Error(string what) =>
            new($"The header dictionary is malformed at character {_at}: {what}.", source);
    }
}

/// <summary>A float32 array read from a .npy file: its shape and its values in C order.</summary>
public sealed class NpyArray
{
    /// <summary>Creates the array.</summary>
    public NpyArray(int[] shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        Shape = shape;
        Data = data;
    }

    /// <summary>The dimensions (empty for a 0-d array).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }
}

/// <summary>An integer array read from a .npy file: its shape and its values in C order.</summary>
public sealed class NpyIntArray
{
    /// <summary>Creates an array.</summary>
    public NpyIntArray(int[] shape, int[] data)
    {
        Shape = shape;
        Data = data;
    }

    /// <summary>The dimensions.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values, in C order.</summary>
    public int[] Data { get; }
}

/// <summary>A .npy file that cannot be read: the message says what is wrong, <see cref="SourceName"/> where.</summary>
public sealed class NpyFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public NpyFormatException(string message, string sourceName)
        : base($"{sourceName}: {message}")
    {
        SourceName = sourceName;
    }

    /// <summary>The file or stream.</summary>
    public string SourceName { get; }
}
