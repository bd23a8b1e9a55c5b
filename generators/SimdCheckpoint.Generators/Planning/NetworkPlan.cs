using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Model;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>Every kernel of a network and where each layer's packed weights start.</summary>
internal sealed class NetworkPlan
{
    private NetworkPlan(
        NetworkSpec spec, List<KernelPlan> kernels, int[] layerKernels, long[] layerOffsets, long length, int[] transposedKernels, long[] transposedOffsets, long transposedLength, int[] gradientKernels)
    {
        Spec = spec;
        Kernels = kernels;
        LayerKernels = layerKernels;
        LayerOffsets = layerOffsets;
        PackedLength = length;
        TransposedKernels = transposedKernels;
        TransposedOffsets = transposedOffsets;
        TransposedLength = transposedLength;
        GradientKernels = gradientKernels;
    }

    public NetworkSpec Spec { get; }

    public IReadOnlyList<KernelPlan> Kernels { get; }

    /// <summary>The index into <see cref="Kernels"/> of each layer's kernel.</summary>
    public IReadOnlyList<int> LayerKernels { get; }

    /// <summary>Where each layer's packed block starts, in floats; multiples of 16.</summary>
    public IReadOnlyList<long> LayerOffsets { get; }

    public long PackedLength { get; }

    /// <summary>
    /// Per layer, the kernel of dX = dZ·Wᵀ: the identity kernel of shape N → K, run on the layer's transposed weights
    /// packed in that kernel's layout with a zero bias, so each dX[m,k] is an fma chain over n ascending from +0.
    /// </summary>
    public IReadOnlyList<int> TransposedKernels { get; }

    /// <summary>Where each layer's transposed block starts in the transposed buffer, in floats; multiples of 16.</summary>
    public IReadOnlyList<long> TransposedOffsets { get; }

    public long TransposedLength { get; }

    /// <summary>Per layer, the gradient kernel for dZ = dY ⊙ act′(z) when act′ reads the pre-activation; -1 otherwise.</summary>
    public IReadOnlyList<int> GradientKernels { get; }

    /// <summary>Plans every layer: one kernel per distinct (K, N, activation, alpha), blocks laid end to end.</summary>
    public static NetworkPlan Create(NetworkSpec spec, TileOverride tile)
    {
        int rows = tile.Rows == 0 ? TilePolicy.DefaultRows : tile.Rows;
        int columns = tile.Columns == 0 ? TilePolicy.DefaultColumns : tile.Columns;
        var kernels = new List<KernelPlan>();
        var names = new HashSet<string>();
        int count = spec.Layers.Count;
        int[] layerKernels = new int[count];
        long[] offsets = new long[count];
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            int index = Find(kernels, names, layer, rows, columns, gradient: false);
            kernels[index].LayerIndices.Add(i);
            layerKernels[i] = index;
            offsets[i] = offset;
            offset += kernels[index].PackedLength;
        }

        // The backward pass's kernels come after the forward ones (and share them where the shapes agree); a
        // network that never creates a checkpoint session still carries their code, but never their memory.
        int[] transposed = new int[count];
        long[] transposedOffsets = new long[count];
        long transposedLength = 0;
        int[] gradient = new int[count];
        for (int i = 0; i < count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            int index = Find(kernels, names, new DenseLayerSpec(layer.Name, layer.Outputs, layer.Inputs), rows, columns, gradient: false);
            kernels[index].TransposeOf.Add(i);
            transposed[i] = index;
            transposedOffsets[i] = transposedLength;
            transposedLength += kernels[index].PackedLength;
            gradient[i] = -1;
            if (ActivationDerivatives.ReadsPreActivation(layer.Activation, layer.Alpha))
            {
                gradient[i] = Find(kernels, names, layer, rows, columns, gradient: true);
                kernels[gradient[i]].GradientOf.Add(i);
            }
        }

        return new NetworkPlan(spec, kernels, layerKernels, offsets, offset, transposed, transposedOffsets, transposedLength, gradient);
    }

    private static int Find(List<KernelPlan> kernels, HashSet<string> names, DenseLayerSpec layer, int rows, int columns, bool gradient)
    {
        int index = kernels.FindIndex(k => k.SameShape(layer, gradient));
        if (index >= 0)
        {
            return index;
        }

        string name = KernelName(layer) + (gradient ? "Gradient" : string.Empty);
        string unique = name;
        for (int n = 2; !names.Add(unique); n++)
        {
            unique = name + "_" + n.ToString(CultureInfo.InvariantCulture);
        }

        kernels.Add(new KernelPlan(unique, layer, rows, columns, gradient));
        return kernels.Count - 1;
    }

    private static string KernelName(DenseLayerSpec layer)
    {
        string act = layer.Activation == Activation.Identity ? string.Empty : layer.Activation.ToString();
        return "Dense" + layer.Inputs.ToString(CultureInfo.InvariantCulture) + "x" + layer.Outputs.ToString(CultureInfo.InvariantCulture) + act;
    }
}
