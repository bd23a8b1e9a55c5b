using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Model;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>Every kernel of a network and where each layer's packed weights start.</summary>
internal sealed class NetworkPlan
{
    private NetworkPlan(NetworkSpec spec, List<KernelPlan> kernels, int[] layerKernels, long[] layerOffsets, long length)
    {
        Spec = spec;
        Kernels = kernels;
        LayerKernels = layerKernels;
        LayerOffsets = layerOffsets;
        PackedLength = length;
    }

    public NetworkSpec Spec { get; }

    public IReadOnlyList<KernelPlan> Kernels { get; }

    /// <summary>The index into <see cref="Kernels"/> of each layer's kernel.</summary>
    public IReadOnlyList<int> LayerKernels { get; }

    /// <summary>Where each layer's packed block starts, in floats; multiples of 16.</summary>
    public IReadOnlyList<long> LayerOffsets { get; }

    public long PackedLength { get; }

    /// <summary>Plans every layer: one kernel per distinct (K, N, activation, alpha), blocks laid end to end.</summary>
    public static NetworkPlan Create(NetworkSpec spec, TileOverride tile)
    {
        int rows = tile.Rows == 0 ? TilePolicy.DefaultRows : tile.Rows;
        int columns = tile.Columns == 0 ? TilePolicy.DefaultColumns : tile.Columns;
        var kernels = new List<KernelPlan>();
        var names = new HashSet<string>();
        int[] layerKernels = new int[spec.Layers.Count];
        long[] offsets = new long[spec.Layers.Count];
        long offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            int index = kernels.FindIndex(k => k.SameShape(layer));
            if (index < 0)
            {
                string name = KernelName(layer);
                string unique = name;
                for (int n = 2; !names.Add(unique); n++)
                {
                    unique = name + "_" + n.ToString(CultureInfo.InvariantCulture);
                }

                kernels.Add(new KernelPlan(unique, layer, rows, columns));
                index = kernels.Count - 1;
            }

            kernels[index].LayerIndices.Add(i);
            layerKernels[i] = index;
            offsets[i] = offset;
            offset += kernels[index].PackedLength;
        }

        return new NetworkPlan(spec, kernels, layerKernels, offsets, offset);
    }

    private static string KernelName(DenseLayerSpec layer)
    {
        string act = layer.Activation == Activation.Identity ? string.Empty : layer.Activation.ToString();
        return "Dense" + layer.Inputs.ToString(CultureInfo.InvariantCulture) + "x" + layer.Outputs.ToString(CultureInfo.InvariantCulture) + act;
    }
}
