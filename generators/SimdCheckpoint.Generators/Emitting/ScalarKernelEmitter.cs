using SimdCheckpoint.Generators.Planning;
using static SimdCheckpoint.Generators.Emitting.Literals;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Emits the scalar path of one kernel: the canonical loop, one output at a time, reading the same packed panels
/// as the vector paths. It is the fallback on machines without the vector paths and the baseline they must match.
/// </summary>
internal static class ScalarKernelEmitter
{
    public static void Emit(SourceWriter w, KernelPlan plan)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The scalar path: {plan.Formula}, one output at a time with MathF.FusedMultiplyAdd.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock("public static void RunScalar(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m)");
        w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckKernel(Inputs, Outputs, PackedLength, x, ldx, packed, y, ldy, m);");
        EmitRows(w, plan, "0", "Outputs", softmax: plan.Activation == Activation.Softmax && !plan.Gradient);
        w.CloseBlock();

        if (plan.SplitsByPanel)
        {
            w.WriteLine();
            w.WriteLine("/// <summary>");
            w.WriteLine($"/// The scalar path over panels [firstPanel, firstPanel + panelCount) of the {plan.Panels} only (panel p holds columns");
            w.WriteLine($"/// p·{plan.PanelWidth} .. p·{plan.PanelWidth} + {plan.PanelWidth - 1}{(plan.TailWidth > 0 ? $", the last one the {plan.TailColumns}-column tail" : string.Empty)}), for m rows: RunScalar's loop over those columns, the same bits.");
            w.WriteLine("/// </summary>");
            w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
            w.OpenBlock("public static void RunPanelsScalar(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m, int firstPanel, int panelCount)");
            w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckKernel(Inputs, Outputs, PackedLength, x, ldx, packed, y, ldy, m);");
            w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckPanels(Panels, firstPanel, panelCount);");
            w.WriteLine($"int first = firstPanel * {plan.PanelWidth};");
            w.WriteLine($"int end = Math.Min((firstPanel + panelCount) * {plan.PanelWidth}, Outputs);");
            EmitRows(w, plan, "first", "end", softmax: false);
            w.CloseBlock();
        }
    }

    /// <summary>The loop over m rows and the columns [<paramref name="first"/>, <paramref name="end"/>) of each.</summary>
    private static void EmitRows(SourceWriter w, KernelPlan plan, string first, string end, bool softmax)
    {
        if (plan.Activation == Activation.LeakyRelu && !plan.Gradient)
        {
            w.WriteLine($"const float alpha = {Float(plan.Alpha)};");
        }

        w.OpenBlock("for (int i = 0; i < m; i++)");
        w.WriteLine("ReadOnlySpan<float> xi = x.Slice(i * ldx, Inputs);");
        w.WriteLine("Span<float> yi = y.Slice(i * ldy, Outputs);");
        w.OpenBlock($"for (int n = {first}; n < {end}; n++)");
        if (plan.MainPanels > 0 && plan.TailWidth > 0)
        {
            w.WriteLine($"// W[k, n] is in panel n / {plan.PanelWidth} with row stride {plan.PanelWidth}, or in the tail panel with row stride {plan.TailWidth}.");
            w.WriteLine($"bool tail = n >= MainColumns;");
            w.WriteLine($"int start = tail ? TailOffset + (n - MainColumns) : ((n / {plan.PanelWidth}) * PanelStride) + (n % {plan.PanelWidth});");
            w.WriteLine($"int stride = tail ? {plan.TailWidth} : {plan.PanelWidth};");
        }
        else if (plan.MainPanels > 0)
        {
            w.WriteLine($"// W[k, n] is in panel n / {plan.PanelWidth}, row stride {plan.PanelWidth}.");
            w.WriteLine($"int start = ((n / {plan.PanelWidth}) * PanelStride) + (n % {plan.PanelWidth});");
            w.WriteLine($"const int stride = {plan.PanelWidth};");
        }
        else
        {
            w.WriteLine($"// W[k, n] is in the tail panel, row stride {plan.TailWidth}.");
            w.WriteLine("int start = TailOffset + n;");
            w.WriteLine($"const int stride = {plan.TailWidth};");
        }

        w.WriteLine("float acc = packed[BiasOffset + n];");
        w.OpenBlock("for (int k = 0; k < Inputs; k++)");
        w.WriteLine("acc = MathF.FusedMultiplyAdd(xi[k], packed[start + (k * stride)], acc);");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine(plan.Gradient
            ? $"yi[n] = yi[n] * {Epilogue.DerivativeCall(plan.Activation, plan.Alpha, "ScalarOps", "float", "acc")}; // dZ = dY ⊙ act′(z), over dY"
            : $"yi[n] = {Epilogue.Call(plan.Activation, "acc")};");
        w.CloseBlock();
        if (softmax)
        {
            w.WriteLine();
            w.WriteLine("// Softmax over the finished row: max, exp, the sum in 16 partials then pairwise, divide.");
            w.WriteLine("global::SimdCheckpoint.Numerics.Softmax.Rows<global::SimdCheckpoint.Numerics.ScalarOps, float>(yi, Outputs, yi, Outputs, Outputs, 1);");
        }

        w.CloseBlock();
    }
}
