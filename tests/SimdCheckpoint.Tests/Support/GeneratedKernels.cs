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

    /// <summary>The single kernel class of a one-layer network.</summary>
    /// <summary>
    /// The forward kernel of a single-layer network (its Kernels class also holds the layer's backward kernels: dX's
    /// identity kernel of shape N → K, and a gradient kernel when the derivative reads the pre-activation).
    /// </summary>
    public static Type OnlyKernel(Type network)
    {
        var spec = (NetworkSpec)network.GetProperty("Spec", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        DenseLayerSpec layer = Assert.Single(spec.Layers);
        string name = $"Dense{layer.Inputs}x{layer.Outputs}{(layer.Activation == Activation.Identity ? string.Empty : layer.Activation.ToString())}";
        Type kernels = network.GetNestedType("Kernels", BindingFlags.NonPublic)!;
        return kernels.GetNestedType(name, BindingFlags.NonPublic) ?? throw new InvalidOperationException($"{network.Name} has no kernel {name}.");
    }

    public static KernelFunction Path(Type kernel, string path) =>
        kernel.GetMethod("Run" + path, BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<KernelFunction>();

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
