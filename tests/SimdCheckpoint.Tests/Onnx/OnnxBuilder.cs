using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace SimdCheckpoint.Tests.Onnx;

/// <summary>
/// Writes small ONNX models for the tests that need graphs PyTorch does not export (Dropout, Identity, Gemm with
/// transB = 0 or alpha ≠ 1, opset 20's Gelu) and broken ones. The encoding is Google.Protobuf's, independent of the
/// reader under test; the field numbers are onnx.proto's.
/// </summary>
internal sealed class OnnxBuilder
{
    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];

    public long Opset { get; set; } = 17;

    public string OpsetDomain { get; set; } = string.Empty;

    /// <summary>A node; attribute values are float, long, string or <see cref="TensorValue"/>.</summary>
    public OnnxBuilder Node(string op, string[] inputs, string[] outputs, string name = "", params (string Name, object Value)[] attributes) =>
        NodeIn(string.Empty, op, inputs, outputs, name, attributes);

    public OnnxBuilder NodeIn(string domain, string op, string[] inputs, string[] outputs, string name, params (string Name, object Value)[] attributes)
    {
        _nodes.Add(Message(m =>
        {
            foreach (string i in inputs)
            {
                m.WriteTag(1, WireFormat.WireType.LengthDelimited);
                m.WriteString(i);
            }

            foreach (string o in outputs)
            {
                m.WriteTag(2, WireFormat.WireType.LengthDelimited);
                m.WriteString(o);
            }

            if (name.Length > 0)
            {
                m.WriteTag(3, WireFormat.WireType.LengthDelimited);
                m.WriteString(name);
            }

            m.WriteTag(4, WireFormat.WireType.LengthDelimited);
            m.WriteString(op);
            foreach ((string n, object v) in attributes)
            {
                WriteMessage(m, 5, Attribute(n, v));
            }

            if (domain.Length > 0)
            {
                m.WriteTag(7, WireFormat.WireType.LengthDelimited);
                m.WriteString(domain);
            }
        }));
        return this;
    }

    public OnnxBuilder Initializer(TensorValue tensor)
    {
        _initializers.Add(tensor.Encode());
        return this;
    }

    public OnnxBuilder Initializer(string name, long[] dims, float[] data, bool raw = true) => Initializer(new TensorValue(name, dims, data) { Raw = raw });

    /// <summary>A graph input; a null dimension is the symbolic "batch".</summary>
    public OnnxBuilder Input(string name, params long?[] dims)
    {
        _inputs.Add(ValueInfo(name, dims));
        return this;
    }

    public OnnxBuilder Output(string name, params long?[] dims)
    {
        _outputs.Add(ValueInfo(name, dims));
        return this;
    }

    public byte[] Build()
    {
        byte[] graph = Message(g =>
        {
            foreach (byte[] n in _nodes)
            {
                WriteMessage(g, 1, n);
            }

            g.WriteTag(2, WireFormat.WireType.LengthDelimited);
            g.WriteString("test_graph");
            foreach (byte[] t in _initializers)
            {
                WriteMessage(g, 5, t);
            }

            foreach (byte[] i in _inputs)
            {
                WriteMessage(g, 11, i);
            }

            foreach (byte[] o in _outputs)
            {
                WriteMessage(g, 12, o);
            }
        });

        return Message(m =>
        {
            m.WriteTag(1, WireFormat.WireType.Varint);
            m.WriteInt64(8);
            m.WriteTag(2, WireFormat.WireType.LengthDelimited);
            m.WriteString("SimdCheckpoint.Tests");
            m.WriteTag(7, WireFormat.WireType.LengthDelimited);
            m.WriteBytes(ByteString.CopyFrom(graph));
            WriteMessage(m, 8, Message(o =>
            {
                if (OpsetDomain.Length > 0)
                {
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteString(OpsetDomain);
                }

                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt64(Opset);
            }));
        });
    }

    private static byte[] Attribute(string name, object value) => Message(a =>
    {
        a.WriteTag(1, WireFormat.WireType.LengthDelimited);
        a.WriteString(name);
        switch (value)
        {
            case float f:
                a.WriteTag(2, WireFormat.WireType.Fixed32);
                a.WriteFloat(f);
                a.WriteTag(20, WireFormat.WireType.Varint);
                a.WriteInt32(1);
                break;
            case long i:
                a.WriteTag(3, WireFormat.WireType.Varint);
                a.WriteInt64(i);
                a.WriteTag(20, WireFormat.WireType.Varint);
                a.WriteInt32(2);
                break;
            case string s:
                a.WriteTag(4, WireFormat.WireType.LengthDelimited);
                a.WriteString(s);
                a.WriteTag(20, WireFormat.WireType.Varint);
                a.WriteInt32(3);
                break;
            case TensorValue t:
                WriteMessage(a, 5, t.Encode());
                a.WriteTag(20, WireFormat.WireType.Varint);
                a.WriteInt32(4);
                break;
            default:
                throw new ArgumentException($"No ONNX attribute form for {value.GetType()}.", nameof(value));
        }
    });

    private static byte[] ValueInfo(string name, long?[] dims) => Message(v =>
    {
        v.WriteTag(1, WireFormat.WireType.LengthDelimited);
        v.WriteString(name);
        byte[] shape = Message(s =>
        {
            foreach (long? d in dims)
            {
                WriteMessage(s, 1, Message(dim =>
                {
                    if (d is long value)
                    {
                        dim.WriteTag(1, WireFormat.WireType.Varint);
                        dim.WriteInt64(value);
                    }
                    else
                    {
                        dim.WriteTag(2, WireFormat.WireType.LengthDelimited);
                        dim.WriteString("batch");
                    }
                }));
            }
        });
        byte[] tensor = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt32(1);
            WriteMessage(t, 2, shape);
        });
        WriteMessage(v, 2, Message(t => WriteMessage(t, 1, tensor)));
    });

    internal static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new System.IO.MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    internal static void WriteMessage(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }
}

/// <summary>A tensor for an initializer or a Constant node.</summary>
internal sealed record TensorValue(string Name, long[] Dims, float[] Data)
{
    /// <summary>raw_data (true, PyTorch's choice) or float_data.</summary>
    public bool Raw { get; init; } = true;

    public int DataType { get; init; } = 1;

    /// <summary>Overrides the raw_data bytes (for lying tensors).</summary>
    public byte[]? RawBytes { get; init; }

    public bool External { get; init; }

    public byte[] Encode() => OnnxBuilder.Message(t =>
    {
        foreach (long d in Dims)
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt64(d);
        }

        t.WriteTag(2, WireFormat.WireType.Varint);
        t.WriteInt32(DataType);
        if (!Raw && RawBytes is null)
        {
            t.WriteTag(4, WireFormat.WireType.LengthDelimited);
            byte[] packed = MemoryMarshal.AsBytes(Data.AsSpan()).ToArray();
            t.WriteBytes(ByteString.CopyFrom(packed));
        }

        t.WriteTag(8, WireFormat.WireType.LengthDelimited);
        t.WriteString(Name);
        if (Raw || RawBytes is not null)
        {
            t.WriteTag(9, WireFormat.WireType.LengthDelimited);
            t.WriteBytes(ByteString.CopyFrom(RawBytes ?? MemoryMarshal.AsBytes(Data.AsSpan()).ToArray()));
        }

        if (External)
        {
            t.WriteTag(14, WireFormat.WireType.Varint);
            t.WriteInt32(1);
        }
    });
}
