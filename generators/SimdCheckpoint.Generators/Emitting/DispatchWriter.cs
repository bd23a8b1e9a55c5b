using System;
using System.Collections.Generic;
using SimdCheckpoint.Generators.Planning;
using static SimdCheckpoint.Generators.Emitting.Literals;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Writes a dispatch method: a layer's kernel from a table, then a switch on the path and, inside, on the kernel, each
/// case one call. The forward pass, dX = dZ·Wᵀ and the pre-activation are all written by it.
/// </summary>
internal static class DispatchWriter
{
    /// <param name="w">The writer.</param>
    /// <param name="plan">The network.</param>
    /// <param name="summary">The method's summary.</param>
    /// <param name="signature">"RunLayer(KernelPath path, int layer, ...)": the parameters must include <c>path</c> and <c>layer</c>.</param>
    /// <param name="table">The name of the layer → kernel table.</param>
    /// <param name="kernelOfLayer">Per dense layer, its kernel, or -1 where the layer has none of this kind.</param>
    /// <param name="missing">The expression thrown for a layer without a kernel of this kind (the layer index is valid).</param>
    /// <param name="call">The call for a kernel on a path ("Vector512", ..., "Scalar"), given the path's class of that kernel's sweep.</param>
    public static void Write(
        SourceWriter w, NetworkPlan plan, string summary, string signature, string table, int[] kernelOfLayer, string? missing, Func<KernelPlan, string, string> call)
    {
        var kernels = new SortedSet<int>();
        var entries = new List<string>();
        foreach (int k in kernelOfLayer)
        {
            entries.Add(Int(k));
            if (k >= 0)
            {
                kernels.Add(k);
            }
        }

        string name = String(plan.Spec.Name);
        w.WriteLine($"private static readonly int[] {table} = {{ {string.Join(", ", entries)} }};");
        w.WriteLine();
        w.WriteLine($"/// <summary>{summary}</summary>");
        w.OpenBlock($"internal static void {signature}");
        w.WriteLine($"int kernel = (uint)layer < {kernelOfLayer.Length}u ? {table}[layer] : throw {EmittedNames.KernelChecksNoSuchLayer}({name}, layer, {kernelOfLayer.Length});");
        if (missing is not null && kernels.Count == 0)
        {
            // No layer has a kernel of this kind.
            w.WriteLine($"_ = kernel; _ = path;");
            w.WriteLine($"throw {missing};");
            w.CloseBlock();
            return;
        }

        if (missing is not null)
        {
            w.OpenBlock("if (kernel < 0)");
            w.WriteLine($"throw {missing};");
            w.CloseBlock();
            w.WriteLine();
        }

        w.OpenBlock($"switch (path == {EmittedNames.KernelPathAuto} ? AutoPath : path)");
        foreach (string path in Paths)
        {
            w.WriteLine($"case {EmittedNames.PathMember(path)}:");
            w.Indent();
            w.OpenBlock("switch (kernel)");
            int i = 0;
            foreach (int k in kernels)
            {
                string label = ++i == kernels.Count ? "default" : "case " + Int(k);
                w.WriteLine($"{label}: {call(plan.Kernels[k], path)}; return;");
            }

            w.CloseBlock();
            w.Unindent();
        }

        w.WriteLine("default:");
        w.Indent();
        w.WriteLine($"throw {EmittedNames.KernelChecksPathNotGenerated}(path, {name});");
        w.Unindent();
        w.CloseBlock();
        w.CloseBlock();
    }

    /// <summary>Every path a network has, widest first, then scalar.</summary>
    public static readonly string[] Paths = { "Vector512", "Vector256", "Vector128", "Scalar" };

    /// <summary>The class that runs <paramref name="kernel"/> on <paramref name="path"/>: its sweep's, or the scalar one.</summary>
    public static string Runner(KernelPlan kernel, string path)
    {
        for (int i = 0; i < VectorIsa.All.Length; i++)
        {
            if (VectorIsa.All[i].Name == path)
            {
                return path + kernel.Sweeps[i].Name;
            }
        }

        return "Scalar";
    }
}
