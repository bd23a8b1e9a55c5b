using System;
using System.Text;

namespace SimdCheckpoint.Onnx;

/// <summary>An ONNX file that is not a well-formed protobuf message, or not a model the reader can use.</summary>
internal sealed class OnnxFormatException : Exception
{
    public OnnxFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A reader of the protobuf wire format over a byte array, for the few ONNX messages SimdCheckpoint needs. Every
/// length and varint is checked against the end of the enclosing message before it is used, so a truncated or lying
/// file is an <see cref="OnnxFormatException"/> and never an out-of-range read or an allocation larger than the file.
/// </summary>
/// <remarks>
/// Why not Google.Protobuf: the generator would have to ship it (and the classes generated from onnx.proto) inside the
/// analyzer package and load it into the compiler; these ~150 lines read the six messages we use, skip everything
/// else, and are fuzzed with the rest of the readers.
/// </remarks>
internal struct ProtoReader
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly int _end;
    private readonly string _what;
    private int _position;

    public ProtoReader(byte[] data, int start, int end, string what)
    {
        _data = data;
        _position = start;
        _end = end;
        _what = what;
    }

    public readonly byte[] Data => _data;

    public readonly int Position => _position;

    public readonly bool AtEnd => _position >= _end;

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    public bool Next(out int field, out int wireType)
    {
        if (_position >= _end)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        ulong tag = ReadVarint();
        wireType = (int)(tag & 7);
        ulong number = tag >> 3;
        if (number == 0 || number > 536_870_911)
        {
            throw Error("a field number of " + number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        field = (int)number;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _end)
            {
                throw Error("a varint that runs past the end of its message (the file is truncated)");
            }

            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Error("a varint longer than 10 bytes");
    }

    /// <summary>An int64 field (two's complement in a varint).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>An int32 or enum field: negative values are sign-extended to 64 bits on the wire.</summary>
    public int ReadInt32()
    {
        long v = ReadInt64();
        if (v < int.MinValue || v > int.MaxValue)
        {
            throw Error("an int32 field out of range");
        }

        return (int)v;
    }

    public float ReadFixed32Float()
    {
        if (_end - _position < 4)
        {
            throw Error("a 4-byte field that runs past the end of its message (the file is truncated)");
        }

        float f = ReadSingle(_data, _position);
        _position += 4;
        return f;
    }

    /// <summary>Reads a length prefix and returns the [start, end) of the bytes it covers, which it skips.</summary>
    public (int Start, int End) ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_end - _position))
        {
            throw Error("a length of " + length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + " bytes where only " + (_end - _position).ToString(System.Globalization.CultureInfo.InvariantCulture)
                + " remain (the file is truncated or the length is wrong)");
        }

        int start = _position;
        _position += (int)length;
        return (start, _position);
    }

    public ProtoReader ReadMessage(string what)
    {
        (int start, int end) = ReadLengthDelimited();
        return new ProtoReader(_data, start, end, what);
    }

    public string ReadString()
    {
        (int start, int end) = ReadLengthDelimited();
        try
        {
            return StrictUtf8.GetString(_data, start, end - start);
        }
        catch (DecoderFallbackException)
        {
            throw Error("a string that is not valid UTF-8");
        }
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireVarint:
                ReadVarint();
                break;
            case WireFixed64:
                Advance(8);
                break;
            case WireLengthDelimited:
                ReadLengthDelimited();
                break;
            case WireFixed32:
                Advance(4);
                break;
            default:
                throw Error("wire type " + wireType.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + " (groups are not used by ONNX)");
        }
    }

    /// <summary>Throws unless the field has the expected wire type.</summary>
    public readonly void Expect(int field, int wireType, int expected)
    {
        if (wireType != expected)
        {
            throw Error("field " + field.ToString(System.Globalization.CultureInfo.InvariantCulture) + " with wire type "
                + wireType.ToString(System.Globalization.CultureInfo.InvariantCulture) + " where "
                + expected.ToString(System.Globalization.CultureInfo.InvariantCulture) + " was expected");
        }
    }

    public readonly OnnxFormatException Error(string problem) =>
        new("Malformed ONNX file: " + _what + " has " + problem + " (at byte "
            + _position.ToString(System.Globalization.CultureInfo.InvariantCulture) + ").");

    /// <summary>A little-endian binary32 at <paramref name="offset"/>, on hosts of either byte order.</summary>
    public static float ReadSingle(byte[] data, int offset)
    {
        if (BitConverter.IsLittleEndian)
        {
            return BitConverter.ToSingle(data, offset);
        }

        byte[] b = [data[offset + 3], data[offset + 2], data[offset + 1], data[offset]];
        return BitConverter.ToSingle(b, 0);
    }

    private void Advance(int bytes)
    {
        if (_end - _position < bytes)
        {
            throw Error("a fixed-size field that runs past the end of its message (the file is truncated)");
        }

        _position += bytes;
    }
}
