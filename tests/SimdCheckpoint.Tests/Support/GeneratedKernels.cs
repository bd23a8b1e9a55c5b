using System;
using System.Linq;
using System.Reflection;

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
    public static Type OnlyKernel(Type network)
    {
        Type kernels = network.GetNestedType("Kernels", BindingFlags.NonPublic)!;
        return kernels.GetNestedTypes(BindingFlags.NonPublic).Single();
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
