using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace SimdCheckpoint.Tests.Support;

/// <summary>The signature every generated kernel path has.</summary>
internal delegate void KernelFunction(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m);

/// <summary>Finds the generated kernels of a network type, so tests can call each path directly.</summary>
internal static class GeneratedKernels
{
    public static Type NetworkType(string name) =>
        typeof(GeneratedKernels).Assembly.GetType("SimdCheckpoint.Tests.Networks." + name, throwOnError: true)!;

    public static string[] ConformanceNetworks() =>
        typeof(GeneratedKernels).Assembly.GetTypes()
            .Where(t => t.Namespace == "SimdCheckpoint.Tests.Networks" && t.Name.StartsWith("Conformance_", StringComparison.Ordinal))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// Layer <paramref name="layer"/>'s generated kernel on <paramref name="path"/>, over all its panels, as a function of
    /// (x, ldx, the network's whole packed buffer, y, ldy, rows): what the runtime calls, with the layer's block sliced
    /// out of the packed weights the way the session does.
    /// </summary>
    public static KernelFunction Layer<TNetwork>(KernelPath path, int layer = 0)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
        return (x, ldx, packed, y, ldy, m) =>
            TNetwork.RunLayer(path, layer, x, ldx, packed[block.WeightOffset..], y, ldy, m, 0, block.Panels);
    }

    /// <summary>
    /// Dense layer <paramref name="layer"/> over panels [<paramref name="firstPanel"/>, <paramref name="firstPanel"/> +
    /// <paramref name="panelCount"/>) only, reading the network's whole packed buffer; x and y are contiguous rows.
    /// </summary>
    public static void LayerPanels<TNetwork>(
        KernelPath path, int layer, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, int rows, int firstPanel, int panelCount)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        DenseLayerSpec l = TNetwork.Spec.Layers[layer];
        PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
        TNetwork.RunLayer(path, layer, x, l.Inputs, packed.Slice(block.WeightOffset, block.Length), y, l.Outputs, rows, firstPanel, panelCount);
    }

    /// <summary>Dense layer <paramref name="layer"/> over all its panels, as a forward pass runs it.</summary>
    public static void ForwardLayer<TNetwork>(KernelPath path, int layer, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, int rows)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        GraphExecutor<TNetwork>.ForwardLayer(path, layer, packed, x, y, rows);

    /// <summary>Where each dense layer's weights live in the packed buffer.</summary>
    public static PackedNetworkLayout Packed<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork> => NetworkLayout<TNetwork>.Packed;

    /// <summary>Runs <c>Method&lt;TNetwork&gt;</c> of <paramref name="owner"/> for the network type named <paramref name="network"/>.</summary>
    public static void Invoke(Type owner, string method, string network, params object[] args)
    {
        MethodInfo generic = owner.GetMethod(method, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!
            .MakeGenericMethod(NetworkType(network));
        try
        {
            generic.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}
