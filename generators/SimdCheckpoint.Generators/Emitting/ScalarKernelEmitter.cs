namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Writes the scalar path, once for every kernel: the canonical loop, one output at a time, reading the same packed
/// panels as the vector paths. It is the fallback on machines without the vector paths and the baseline they match.
/// </summary>
internal static class ScalarKernelEmitter
{
    public static void Emit(SourceWriter w, int panelWidth)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine("/// The scalar path of every kernel: acc = b[n]; for k ascending: acc = MathF.FusedMultiplyAdd(x[m,k], W[k,n], acc); then the");
        w.WriteLine($"/// kernel's activation, one output at a time. W[k, n] is in panel n / {panelWidth} at row stride {panelWidth}, or in the tail panel at its own stride.");
        w.WriteLine("/// </summary>");
        w.OpenBlock("private static class Scalar");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.WriteLine("public static void Run<TKernel>(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m, int firstPanel, int panelCount)");
        w.Indent();
        w.WriteLine($"where TKernel : struct, {EmittedNames.IDenseKernel}");
        w.Unindent();
        w.OpenBlock();
        w.WriteLine($"{EmittedNames.KernelChecksCheckKernel}<TKernel>(x, ldx, packed, y, ldy, m, firstPanel, panelCount);");
        w.WriteLine($"int first = firstPanel * {panelWidth};");
        w.WriteLine($"int end = Math.Min((firstPanel + panelCount) * {panelWidth}, TKernel.Outputs);");
        w.OpenBlock("for (int i = 0; i < m; i++)");
        w.WriteLine("ReadOnlySpan<float> xi = x.Slice(i * ldx, TKernel.Inputs);");
        w.WriteLine("Span<float> yi = y.Slice(i * ldy, TKernel.Outputs);");
        w.OpenBlock("for (int n = first; n < end; n++)");
        w.WriteLine("bool tail = n >= TKernel.MainColumns;");
        w.WriteLine($"int start = tail ? TKernel.TailOffset + (n - TKernel.MainColumns) : ((n / {panelWidth}) * TKernel.PanelStride) + (n % {panelWidth});");
        w.WriteLine($"int stride = tail ? TKernel.TailWidth : {panelWidth};");
        w.WriteLine("float acc = packed[TKernel.BiasOffset + n];");
        w.OpenBlock("for (int k = 0; k < TKernel.Inputs; k++)");
        w.WriteLine("acc = MathF.FusedMultiplyAdd(xi[k], packed[start + (k * stride)], acc);");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine($"yi[n] = {EmittedNames.EpilogueApply}<TKernel>(acc);");
        w.CloseBlock();
        w.WriteLine();
        w.OpenBlock($"if (TKernel.Activation == {EmittedNames.ActivationSoftmax})");
        w.WriteLine("// Softmax over the finished row: max, exp, the sum in 16 partials then pairwise, divide.");
        w.WriteLine($"{EmittedNames.SoftmaxRows}<{EmittedNames.ScalarOps}, float>(yi, TKernel.Outputs, yi, TKernel.Outputs, TKernel.Outputs, 1);");
        w.CloseBlock();
        w.CloseBlock();
        w.CloseBlock();
        w.CloseBlock();
    }
}
