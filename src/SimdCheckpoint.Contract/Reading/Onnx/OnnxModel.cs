using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Onnx;

/// <summary>
/// The part of an ONNX <c>ModelProto</c> SimdCheckpoint reads: the default-domain opset, and the main graph's nodes,
/// initializers, inputs and outputs. Field numbers are those of onnx.proto (IR version 3 and later); every other field
/// is skipped, and nested graphs (<c>If</c>, <c>Loop</c> bodies) are never parsed.
/// </summary>
internal sealed class OnnxModel
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int FloatType = 1;

    /// <summary>TensorProto.DataType INT32.</summary>
    public const int Int32Type = 6;

    /// <summary>TensorProto.DataType INT64.</summary>
    public const int Int64Type = 7;

    private OnnxModel(long irVersion, long opset, string producer, OnnxGraph graph)
    {
        IrVersion = irVersion;
        Opset = opset;
        Producer = producer;
        Graph = graph;
    }

    public long IrVersion { get; }

    /// <summary>The version of the default ("" or "ai.onnx") operator set, or 0 when the model names none.</summary>
    public long Opset { get; }

    public string Producer { get; }

    public OnnxGraph Graph { get; }

    /// <summary>Parses a model; the tensors' data stay in <paramref name="data"/>, which the model keeps.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Parse(byte[] data)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        var r = new ProtoReader(data, 0, data.Length, "the model");
        long ir = 0;
        long opset = 0;
        bool sawOpset = false;
        string producer = string.Empty;
        OnnxGraph? graph = null;
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.WireVarint);
                    ir = r.ReadInt64();
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.WireLengthDelimited);
                    producer = r.ReadString();
                    break;
                case 7:
                    r.Expect(field, wire, ProtoReader.WireLengthDelimited);
                    if (graph is not null)
                    {
                        throw r.Error("two graphs");
                    }

                    graph = OnnxGraph.Parse(r.ReadMessage("the graph"));
                    break;
                case 8:
                    r.Expect(field, wire, ProtoReader.WireLengthDelimited);
                    ProtoReader o = r.ReadMessage("an opset_import");
                    string domain = string.Empty;
                    long version = 0;
                    while (o.Next(out int f, out int w))
                    {
                        if (f == 1 && w == ProtoReader.WireLengthDelimited)
                        {
                            domain = o.ReadString();
                        }
                        else if (f == 2 && w == ProtoReader.WireVarint)
                        {
                            version = o.ReadInt64();
                        }
                        else
                        {
                            o.Skip(w);
                        }
                    }

                    if (domain.Length == 0 || domain == "ai.onnx")
                    {
                        opset = version;
                        sawOpset = true;
                    }

                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        if (graph is null)
        {
            throw new OnnxFormatException("Malformed ONNX file: the model has no graph (is this an ONNX model file?).");
        }

        return new OnnxModel(ir, sawOpset ? opset : 0, producer, graph);
    }
}

/// <summary>The main graph: nodes in file order (topological, as ONNX requires), initializers, inputs and outputs.</summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(string name, List<OnnxNode> nodes, List<OnnxTensor> initializers, List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs)
    {
        Name = name;
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Name { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    public IReadOnlyList<OnnxTensor> Initializers { get; }

    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    internal static OnnxGraph Parse(ProtoReader r)
    {
        string name = string.Empty;
        var nodes = new List<OnnxNode>();
        var initializers = new List<OnnxTensor>();
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        while (r.Next(out int field, out int wire))
        {
            if (wire != ProtoReader.WireLengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            switch (field)
            {
                case 1:
                    nodes.Add(OnnxNode.Parse(r.ReadMessage("node " + nodes.Count.ToString(CultureInfo.InvariantCulture))));
                    break;
                case 2:
                    name = r.ReadString();
                    break;
                case 5:
                    initializers.Add(OnnxTensor.Parse(r.ReadMessage("initializer " + initializers.Count.ToString(CultureInfo.InvariantCulture))));
                    break;
                case 11:
                    inputs.Add(OnnxValueInfo.Parse(r.ReadMessage("a graph input")));
                    break;
                case 12:
                    outputs.Add(OnnxValueInfo.Parse(r.ReadMessage("a graph output")));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(name, nodes, initializers, inputs, outputs);
    }
}

/// <summary>A node: its operator, inputs, outputs and attributes.</summary>
internal sealed class OnnxNode
{
    private OnnxNode(string name, string opType, string domain, List<string> inputs, List<string> outputs, List<OnnxAttribute> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    public string Name { get; }

    public string OpType { get; }

    public string Domain { get; }

    /// <summary>Input tensor names; an empty name is an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    public IReadOnlyList<OnnxAttribute> Attributes { get; }

    /// <summary>"node '/fc1/Gemm' (Gemm)", or "a Gemm node with output 'y'" when the node has no name.</summary>
    public string Describe() =>
        Name.Length > 0
            ? "node '" + Name + "' (" + OpType + ")"
            : "the " + OpType + " node with output '" + (Outputs.Count > 0 ? Outputs[0] : string.Empty) + "'";

    public OnnxAttribute? Attribute(string name)
    {
        foreach (OnnxAttribute a in Attributes)
        {
            if (a.Name == name)
            {
                return a;
            }
        }

        return null;
    }

    internal static OnnxNode Parse(ProtoReader r)
    {
        string name = string.Empty, op = string.Empty, domain = string.Empty;
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<OnnxAttribute>();
        while (r.Next(out int field, out int wire))
        {
            if (wire != ProtoReader.WireLengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            switch (field)
            {
                case 1:
                    inputs.Add(r.ReadString());
                    break;
                case 2:
                    outputs.Add(r.ReadString());
                    break;
                case 3:
                    name = r.ReadString();
                    break;
                case 4:
                    op = r.ReadString();
                    break;
                case 5:
                    attributes.Add(OnnxAttribute.Parse(r.ReadMessage("an attribute")));
                    break;
                case 7:
                    domain = r.ReadString();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OnnxNode(name, op, domain, inputs, outputs, attributes);
    }
}

/// <summary>A node attribute: the scalar, list and tensor forms SimdCheckpoint reads (graphs are skipped).</summary>
internal sealed class OnnxAttribute
{
    private OnnxAttribute(string name, float? f, long? i, string? s, OnnxTensor? t, List<long> ints, List<float> floats)
    {
        Name = name;
        Float = f;
        Int = i;
        String = s;
        Tensor = t;
        Ints = ints;
        Floats = floats;
    }

    public string Name { get; }

    public float? Float { get; }

    public long? Int { get; }

    public string? String { get; }

    public OnnxTensor? Tensor { get; }

    public IReadOnlyList<long> Ints { get; }

    public IReadOnlyList<float> Floats { get; }

    internal static OnnxAttribute Parse(ProtoReader r)
    {
        string name = string.Empty;
        float? f = null;
        long? i = null;
        string? s = null;
        OnnxTensor? t = null;
        var ints = new List<long>();
        var floats = new List<float>();
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == ProtoReader.WireLengthDelimited:
                    name = r.ReadString();
                    break;
                case 2 when wire == ProtoReader.WireFixed32:
                    f = r.ReadFixed32Float();
                    break;
                case 3 when wire == ProtoReader.WireVarint:
                    i = r.ReadInt64();
                    break;
                case 4 when wire == ProtoReader.WireLengthDelimited:
                    // Bytes; every string attribute of the operators we read is UTF-8 text ("tanh", "none").
                    s = r.ReadString();
                    break;
                case 5 when wire == ProtoReader.WireLengthDelimited:
                    t = OnnxTensor.Parse(r.ReadMessage("attribute '" + name + "'"));
                    break;
                case 7:
                    ReadRepeatedFloats(ref r, field, wire, floats);
                    break;
                case 8:
                    ReadRepeatedInt64(ref r, field, wire, ints);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OnnxAttribute(name, f, i, s, t, ints, floats);
    }

    /// <summary>A repeated float field, packed (one length-delimited run) or not (one fixed32 per element).</summary>
    internal static void ReadRepeatedFloats(ref ProtoReader r, int field, int wire, List<float> into)
    {
        if (wire == ProtoReader.WireFixed32)
        {
            into.Add(r.ReadFixed32Float());
            return;
        }

        r.Expect(field, wire, ProtoReader.WireLengthDelimited);
        (int start, int end) = r.ReadLengthDelimited();
        if ((end - start) % 4 != 0)
        {
            throw r.Error("a packed float list of " + (end - start).ToString(CultureInfo.InvariantCulture) + " bytes, not a multiple of 4");
        }

        for (int p = start; p < end; p += 4)
        {
            into.Add(ProtoReader.ReadSingle(r.Data, p));
        }
    }

    /// <summary>A repeated int64 field, packed or not.</summary>
    internal static void ReadRepeatedInt64(ref ProtoReader r, int field, int wire, List<long> into)
    {
        if (wire == ProtoReader.WireVarint)
        {
            into.Add(r.ReadInt64());
            return;
        }

        r.Expect(field, wire, ProtoReader.WireLengthDelimited);
        ProtoReader packed = r.ReadMessage("a packed int64 list");
        while (!packed.AtEnd)
        {
            into.Add(packed.ReadInt64());
        }
    }
}

/// <summary>
/// A tensor (an initializer or an attribute value): its name, type, shape, and where its data lie. <c>raw_data</c> is
/// kept as a range of the file's bytes, read only when the weights are loaded.
/// </summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(string name, int dataType, List<long> dims, byte[] file, int rawStart, int rawLength, List<float>? floatData, List<long>? int32Data, List<long>? int64Data, bool external, bool otherData)
    {
        Int32Data = int32Data;
        Int64Data = int64Data;
        Name = name;
        DataType = dataType;
        Dims = dims;
        File = file;
        RawStart = rawStart;
        RawLength = rawLength;
        FloatData = floatData;
        IsExternal = external;
        HasOtherTypedData = otherData;
    }

    public string Name { get; }

    /// <summary>TensorProto.DataType: 1 is FLOAT.</summary>
    public int DataType { get; }

    public IReadOnlyList<long> Dims { get; }

    /// <summary>Whether the data are in another file (<c>data_location = EXTERNAL</c>).</summary>
    public bool IsExternal { get; }

    /// <summary>Whether the data are in a typed field other than float_data (int32_data, int64_data, double_data…).</summary>
    public bool HasOtherTypedData { get; }

    private byte[] File { get; }

    private int RawStart { get; }

    /// <summary>-1 when the tensor has no raw_data.</summary>
    private int RawLength { get; }

    private List<float>? FloatData { get; }

    private List<long>? Int32Data { get; }

    private List<long>? Int64Data { get; }

    /// <summary>A BOOL scalar (Dropout's training_mode), from raw_data or int32_data.</summary>
    public bool TryReadBoolScalar(out bool value)
    {
        value = false;
        if (DataType != 9 || ElementCount != 1 || IsExternal)
        {
            return false;
        }

        if (RawLength == 1)
        {
            value = File[RawStart] != 0;
            return true;
        }

        if (RawLength < 0 && Int32Data is { Count: 1 })
        {
            value = Int32Data[0] != 0;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The data of an INT64 or INT32 tensor stored in this file (shape constants, indices), from raw_data or the typed
    /// field, exactly as many values as the shape declares; false otherwise.
    /// </summary>
    public bool TryReadIntegers(out long[] values)
    {
        values = [];
        long count = ElementCount;
        if ((DataType != 7 && DataType != 6) || IsExternal || count < 0)
        {
            return false;
        }

        int size = DataType == 7 ? 8 : 4;
        if (RawLength >= 0)
        {
            if (RawLength != count * size)
            {
                return false;
            }

            values = new long[count];
            for (int i = 0; i < values.Length; i++)
            {
                int p = RawStart + (size * i);
                ulong v = 0;
                for (int b = size - 1; b >= 0; b--)
                {
                    v = (v << 8) | File[p + b];
                }

                values[i] = size == 8 ? unchecked((long)v) : unchecked((int)(uint)v);
            }

            return true;
        }

        List<long>? typed = DataType == 7 ? Int64Data : Int32Data;
        if ((typed?.Count ?? 0) != count)
        {
            return false;
        }

        values = typed is null ? [] : typed.ToArray();
        if (DataType == 6)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = unchecked((int)values[i]);
            }
        }

        return true;
    }

    /// <summary>"FLOAT", "DOUBLE", … for messages.</summary>
    public string DataTypeName => TypeName(DataType);

    /// <summary>The TensorProto.DataType's name, "DOUBLE" for 11, … for messages.</summary>
    public static string TypeName(int dataType) => dataType switch
    {
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        16 => "BFLOAT16",
        _ => "data type " + dataType.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>"[256, 784]".</summary>
    public string ShapeText
    {
        get
        {
            var parts = new string[Dims.Count];
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = Dims[i].ToString(CultureInfo.InvariantCulture);
            }

            return "[" + string.Join(", ", parts) + "]";
        }
    }

    /// <summary>The number of elements the shape declares, or -1 when a dimension is negative or the product exceeds 2^31 - 1.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dims)
            {
                if (d < 0 || (d > 0 && n > int.MaxValue / d))
                {
                    return -1;
                }

                n *= d;
            }

            return n;
        }
    }

    /// <summary>
    /// Where this tensor's float32 values lie in the file's bytes, for a reader that uses them in place instead of
    /// copying them: true for a FLOAT tensor stored in this file's raw_data with exactly the shape's count of values, on
    /// a little-endian machine (raw_data is little-endian); otherwise false, and <see cref="ReadFloats"/> says why.
    /// </summary>
    public bool TryGetRawFloats(out byte[] file, out int start, out int count)
    {
        long n = ElementCount;
        if (DataType == FloatTypeId && !IsExternal && BitConverter.IsLittleEndian && RawLength >= 0 && n >= 0 && RawLength == n * 4)
        {
            file = File;
            start = RawStart;
            count = (int)n;
            return true;
        }

        file = [];
        start = 0;
        count = 0;
        return false;
    }

    /// <summary>
    /// The data as float32 values, checked: FLOAT type, stored in this file, and exactly as many values as the shape
    /// declares (in raw_data or float_data).
    /// </summary>
    /// <exception cref="OnnxFormatException">Any of those does not hold; the message names the tensor.</exception>
    public float[] ReadFloats()
    {
        string who = "tensor '" + Name + "'";
        if (DataType != FloatTypeId)
        {
            throw new OnnxFormatException(who + " is " + DataTypeName + "; SimdCheckpoint reads FLOAT (float32) weights only.");
        }

        if (IsExternal)
        {
            throw new OnnxFormatException(who + " keeps its data in an external file; save the model with its weights inside it (onnx.save(model, path, save_as_external_data=False)).");
        }

        long count = ElementCount;
        if (count < 0)
        {
            throw new OnnxFormatException(who + " has the shape " + ShapeText + ", which is negative or too large.");
        }

        if (RawLength >= 0)
        {
            if (RawLength != count * 4)
            {
                throw new OnnxFormatException(who + " has the shape " + ShapeText + " (" + count.ToString(CultureInfo.InvariantCulture)
                    + " floats) but " + RawLength.ToString(CultureInfo.InvariantCulture) + " bytes of raw_data.");
            }

            var values = new float[count];
            if (BitConverter.IsLittleEndian)
            {
                // raw_data is little-endian float32: the bytes are the values (a 90 MB model read 10x faster than one float at a time).
                Buffer.BlockCopy(File, RawStart, values, 0, (int)RawLength);
                return values;
            }

            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ProtoReader.ReadSingle(File, RawStart + (4 * i));
            }

            return values;
        }

        int have = FloatData?.Count ?? 0;
        if (have != count || HasOtherTypedData)
        {
            throw new OnnxFormatException(who + " has the shape " + ShapeText + " (" + count.ToString(CultureInfo.InvariantCulture)
                + " floats) but " + have.ToString(CultureInfo.InvariantCulture) + " values in float_data.");
        }

        return FloatData is null ? [] : FloatData.ToArray();
    }

    private const int FloatTypeId = OnnxModel.FloatType;

    internal static OnnxTensor Parse(ProtoReader r)
    {
        string name = string.Empty;
        int dataType = 0;
        var dims = new List<long>();
        int rawStart = 0, rawLength = -1;
        List<float>? floats = null;
        List<long>? int32s = null;
        List<long>? int64s = null;
        bool external = false, other = false;
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    OnnxAttribute.ReadRepeatedInt64(ref r, field, wire, dims);
                    break;
                case 2 when wire == ProtoReader.WireVarint:
                    dataType = r.ReadInt32();
                    break;
                case 4:
                    floats ??= new List<float>();
                    OnnxAttribute.ReadRepeatedFloats(ref r, field, wire, floats);
                    break;
                case 8 when wire == ProtoReader.WireLengthDelimited:
                    name = r.ReadString();
                    break;
                case 9 when wire == ProtoReader.WireLengthDelimited:
                    (int start, int end) = r.ReadLengthDelimited();
                    rawStart = start;
                    rawLength = end - start;
                    break;
                case 13:
                    external = true;
                    r.Skip(wire);
                    break;
                case 14 when wire == ProtoReader.WireVarint:
                    external |= r.ReadInt64() == 1;
                    break;
                case 5:
                    int32s ??= new List<long>();
                    OnnxAttribute.ReadRepeatedInt64(ref r, field, wire, int32s);
                    other = true;
                    break;
                case 7:
                    int64s ??= new List<long>();
                    OnnxAttribute.ReadRepeatedInt64(ref r, field, wire, int64s);
                    other = true;
                    break;
                case 6 or 10 or 11:
                    other = true;
                    r.Skip(wire);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        if (dims.Count > 32)
        {
            throw r.Error("a tensor ('" + name + "') of rank " + dims.Count.ToString(CultureInfo.InvariantCulture));
        }

        return new OnnxTensor(name, dataType, dims, r.Data, rawStart, rawLength, floats, int32s, int64s, external, other);
    }
}

/// <summary>A graph input or output: its name, element type and shape (a dimension is null when symbolic or absent).</summary>
internal sealed class OnnxValueInfo
{
    private OnnxValueInfo(string name, int elementType, List<long?>? dims)
    {
        Name = name;
        ElementType = elementType;
        Dims = dims;
    }

    public string Name { get; }

    /// <summary>0 when not given.</summary>
    public int ElementType { get; }

    /// <summary>Null when the shape is not given.</summary>
    public IReadOnlyList<long?>? Dims { get; }

    internal static OnnxValueInfo Parse(ProtoReader r)
    {
        string name = string.Empty;
        int elementType = 0;
        List<long?>? dims = null;
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == ProtoReader.WireLengthDelimited)
            {
                name = r.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.WireLengthDelimited)
            {
                // TypeProto { tensor_type = 1: Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
                ProtoReader type = r.ReadMessage("the type of '" + name + "'");
                while (type.Next(out int tf, out int tw))
                {
                    if (tf != 1 || tw != ProtoReader.WireLengthDelimited)
                    {
                        type.Skip(tw);
                        continue;
                    }

                    ProtoReader tensor = type.ReadMessage("the tensor type of '" + name + "'");
                    while (tensor.Next(out int f, out int w))
                    {
                        if (f == 1 && w == ProtoReader.WireVarint)
                        {
                            elementType = tensor.ReadInt32();
                        }
                        else if (f == 2 && w == ProtoReader.WireLengthDelimited)
                        {
                            dims = new List<long?>();
                            ProtoReader shape = tensor.ReadMessage("the shape of '" + name + "'");
                            while (shape.Next(out int sf, out int sw))
                            {
                                if (sf != 1 || sw != ProtoReader.WireLengthDelimited)
                                {
                                    shape.Skip(sw);
                                    continue;
                                }

                                ProtoReader dim = shape.ReadMessage("a dimension of '" + name + "'");
                                long? value = null;
                                while (dim.Next(out int df, out int dw))
                                {
                                    if (df == 1 && dw == ProtoReader.WireVarint)
                                    {
                                        value = dim.ReadInt64();
                                    }
                                    else
                                    {
                                        dim.Skip(dw);
                                    }
                                }

                                if (dims.Count >= 32)
                                {
                                    throw shape.Error("more than 32 dimensions");
                                }

                                dims.Add(value);
                            }
                        }
                        else
                        {
                            tensor.Skip(w);
                        }
                    }
                }
            }
            else
            {
                r.Skip(wire);
            }
        }

        return new OnnxValueInfo(name, elementType, dims);
    }
}
