using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Safetensors;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed class SafetensorsTensorInfo
{
    internal SafetensorsTensorInfo(string name, string dtype, long[] shape, long begin, long end, long elementCount)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Begin = begin;
        End = end;
        ElementCount = elementCount;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The element type as the format spells it: F32, F16, BF16, F64, I64, ...</summary>
    public string DType { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Offset of the first byte, from the start of the data section.</summary>
    public long Begin { get; }

    /// <summary>Offset just past the last byte, from the start of the data section.</summary>
    public long End { get; }

    /// <summary>The product of <see cref="Shape"/>.</summary>
    public long ElementCount { get; }

    /// <summary>"[256, 784]".</summary>
    public string ShapeText => FormatShape(Shape);

    internal static string FormatShape(IReadOnlyList<long> shape)
    {
        var parts = new string[shape.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
