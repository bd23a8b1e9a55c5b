using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>Where a tensor lives during a forward pass.</summary>
internal enum TensorHome
{
    /// <summary>In the caller's span for network input <see cref="TensorLocation.Index"/>.</summary>
    Input,

    /// <summary>In the caller's span for network output <see cref="TensorLocation.Index"/>.</summary>
    Output,

    /// <summary>In activation buffer <see cref="TensorLocation.Index"/> of the session's arena.</summary>
    Buffer,
}

/// <summary>A tensor's home and index.</summary>
internal readonly struct TensorLocation : IEquatable<TensorLocation>
{
    public TensorLocation(TensorHome home, int index, int width)
    {
        Home = home;
        Index = index;
        Width = width;
    }

    public TensorHome Home { get; }

    public int Index { get; }

    /// <summary>Floats per row of the tensor (its buffer may be wider).</summary>
    public int Width { get; }

    public bool Equals(TensorLocation other) => Home == other.Home && Index == other.Index && Width == other.Width;

    public override bool Equals(object? obj) => obj is TensorLocation l && Equals(l);

    public override int GetHashCode() => SpecHash.Combine((int)Home, Index, Width);

    public override string ToString() =>
        (Home == TensorHome.Buffer ? "buffer " : Home == TensorHome.Input ? "input " : "output ") + Index.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Which activation buffer each tensor of a forward pass lives in, the one rule the generator's header, the
/// executor and the sessions' memory figures share. Network inputs and outputs live in the caller's spans; every
/// other tensor takes the first buffer that no live tensor holds, a tensor being live from the node that writes it to
/// the last node that reads it (a node's inputs are live while it writes its output, so they never share). A chain
/// thus alternates between two buffers whatever its depth, the floor of a forward pass. A buffer is as wide as the
/// widest tensor it holds, and holds <c>rows</c> rows of that width; buffer b starts after the buffers before it.
/// </summary>
internal sealed class BufferPlan
{
    private readonly TensorLocation[][] _reads;
    private readonly TensorLocation[] _writes;
    private readonly int[] _widths;

    private BufferPlan(TensorLocation[][] reads, TensorLocation[] writes, int[] widths)
    {
        _reads = reads;
        _writes = writes;
        _widths = widths;
        int total = 0;
        foreach (int w in widths)
        {
            total += w;
        }

        FloatsPerRow = total;
    }

    /// <summary>The width of each buffer (floats per row).</summary>
    public IReadOnlyList<int> BufferWidths => _widths;

    /// <summary>Floats per row of all buffers together: the arena holds <c>rows · FloatsPerRow</c>.</summary>
    public int FloatsPerRow { get; }

    /// <summary>Where node <paramref name="node"/> reads its input <paramref name="input"/>.</summary>
    public TensorLocation Read(int node, int input) => _reads[node][input];

    /// <summary>Where node <paramref name="node"/> writes its output.</summary>
    public TensorLocation Write(int node) => _writes[node];

    /// <summary>Where buffer <paramref name="buffer"/> starts in an arena for <paramref name="rows"/> rows.</summary>
    public long BufferOffset(int buffer, int rows)
    {
        long offset = 0;
        for (int b = 0; b < buffer; b++)
        {
            offset += (long)_widths[b] * rows;
        }

        return offset;
    }

    public static BufferPlan For(NetworkSpec spec)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        IReadOnlyList<NodeSpec> nodes = spec.Nodes;
        var homes = new Dictionary<string, TensorLocation>(StringComparer.Ordinal);
        for (int i = 0; i < spec.Inputs.Count; i++)
        {
            homes.Add(spec.Inputs[i].Name, new TensorLocation(TensorHome.Input, i, spec.Inputs[i].Width));
        }

        var outputs = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int o = 0; o < spec.Outputs.Count; o++)
        {
            outputs.Add(spec.Outputs[o].Name, o);
        }

        // The last node that reads each tensor.
        var lastRead = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (string t in nodes[i].InputTensors)
            {
                lastRead[t] = i;
            }
        }

        var widths = new List<int>();
        var heldUntil = new List<int>(); // per buffer: the last node that reads the tensor it holds
        var reads = new TensorLocation[nodes.Count][];
        var writes = new TensorLocation[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            NodeSpec node = nodes[i];
            reads[i] = new TensorLocation[node.InputTensors.Count];
            for (int t = 0; t < node.InputTensors.Count; t++)
            {
                reads[i][t] = homes[node.InputTensors[t]];
            }

            string written = node.OutputTensor!;
            TensorLocation home;
            if (outputs.TryGetValue(written, out int o))
            {
                home = new TensorLocation(TensorHome.Output, o, node.OutputWidth);
            }
            else
            {
                int buffer = -1;
                for (int b = 0; b < widths.Count && buffer < 0; b++)
                {
                    if (heldUntil[b] < i)
                    {
                        buffer = b;
                    }
                }

                if (buffer < 0)
                {
                    buffer = widths.Count;
                    widths.Add(0);
                    heldUntil.Add(0);
                }

                widths[buffer] = Math.Max(widths[buffer], node.OutputWidth);
                heldUntil[buffer] = lastRead.TryGetValue(written, out int last) ? last : i;
                home = new TensorLocation(TensorHome.Buffer, buffer, node.OutputWidth);
            }

            homes.Add(written, home);
            writes[i] = home;
        }

        return new BufferPlan(reads, writes, widths.ToArray());
    }
}
