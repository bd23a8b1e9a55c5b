using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Writes a dense network as an ONNX model (opset 17: one <c>Gemm</c> per layer with W as its B input, then the
/// activation node), with the same weights the generated kernels run, so ONNX Runtime is timed on exactly the same
/// model. The wide model's weights are 100 MB, too large to commit, so the model is made at set-up. The message
/// encoding is Google.Protobuf's; the field numbers are onnx.proto's.
/// </summary>
public static class OnnxMlpWriter
{
    public const string InputName = "input";
    public const string OutputName = "output";

    private const int FloatType = 1;

    public static byte[] Write(NetworkSpec spec, IReadOnlyList<DenseLayerWeights> layers)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(layers);
        byte[] graph = Message(g =>
        {
            string x = InputName;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                DenseLayerSpec layer = spec.Layers[i];
                bool last = i == spec.Layers.Count - 1;
                string w = $"w{i}", b = $"b{i}", z = $"z{i}";
                string y = last && layer.Activation == Activation.Identity ? OutputName : z;
                WriteMessage(g, 1, Node("Gemm", [x, w, b], y, $"gemm{i}"));
                if (layer.Activation != Activation.Identity)
                {
                    string op = layer.Activation switch
                    {
                        Activation.Relu => "Relu",
                        Activation.Sigmoid => "Sigmoid",
                        Activation.Tanh => "Tanh",
                        _ => throw new NotSupportedException($"The benchmark's ONNX writer has no {layer.Activation}."),
                    };
                    y = last ? OutputName : $"a{i}";
                    WriteMessage(g, 1, Node(op, [z], y, $"{op.ToLowerInvariant()}{i}"));
                }

                WriteMessage(g, 5, Tensor(w, [layer.Inputs, layer.Outputs], layers[i].Weight));
                WriteMessage(g, 5, Tensor(b, [layer.Outputs], layers[i].Bias));
                x = y;
            }

            g.WriteTag(2, WireFormat.WireType.LengthDelimited);
            g.WriteString(spec.Name);
            WriteMessage(g, 11, ValueInfo(InputName, spec.InputSize));
            WriteMessage(g, 12, ValueInfo(OutputName, spec.OutputSize));
        });

        return Message(m =>
        {
            m.WriteTag(1, WireFormat.WireType.Varint);
            m.WriteInt64(8); // ir_version
            m.WriteTag(2, WireFormat.WireType.LengthDelimited);
            m.WriteString("SimdCheckpoint.Benchmarks");
            WriteMessage(m, 7, graph);
            WriteMessage(m, 8, Message(o =>
            {
                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt64(17); // opset version, default domain
            }));
        });
    }

    private static byte[] Node(string op, string[] inputs, string output, string name) => Message(n =>
    {
        foreach (string input in inputs)
        {
            n.WriteTag(1, WireFormat.WireType.LengthDelimited);
            n.WriteString(input);
        }

        n.WriteTag(2, WireFormat.WireType.LengthDelimited);
        n.WriteString(output);
        n.WriteTag(3, WireFormat.WireType.LengthDelimited);
        n.WriteString(name);
        n.WriteTag(4, WireFormat.WireType.LengthDelimited);
        n.WriteString(op);
    });

    private static byte[] Tensor(string name, long[] dims, float[] values) => Message(t =>
    {
        foreach (long d in dims)
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt64(d);
        }

        t.WriteTag(2, WireFormat.WireType.Varint);
        t.WriteInt32(FloatType);
        t.WriteTag(8, WireFormat.WireType.LengthDelimited);
        t.WriteString(name);
        t.WriteTag(9, WireFormat.WireType.LengthDelimited);
        t.WriteBytes(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()))); // raw_data: little-endian float32
    });

    /// <summary>A float tensor of shape [batch, width], batch symbolic.</summary>
    private static byte[] ValueInfo(string name, int width) => Message(v =>
    {
        v.WriteTag(1, WireFormat.WireType.LengthDelimited);
        v.WriteString(name);
        WriteMessage(v, 2, Message(type => WriteMessage(type, 1, Message(tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint);
            tensor.WriteInt32(FloatType);
            WriteMessage(tensor, 2, Message(shape =>
            {
                WriteMessage(shape, 1, Message(d =>
                {
                    d.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    d.WriteString("batch");
                }));
                WriteMessage(shape, 1, Message(d =>
                {
                    d.WriteTag(1, WireFormat.WireType.Varint);
                    d.WriteInt64(width);
                }));
            }));
        }))));
    });

    private static void WriteMessage(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }
}
