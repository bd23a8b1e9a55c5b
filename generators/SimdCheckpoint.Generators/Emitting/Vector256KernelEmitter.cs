using System;
using System.Collections.Generic;
using SimdCheckpoint.Generators.Planning;
using static SimdCheckpoint.Generators.Emitting.Literals;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Emits the Vector256 + FMA path of one kernel: a driver that walks panels and row blocks, and register-tiled
/// microkernels with no loops in the row or column directions, the K loop unrolled, and every tail resolved at
/// compile time.
/// </summary>
internal static class Vector256KernelEmitter
{
    private const int Width = TilePolicy.VectorWidth;

    public static void Emit(SourceWriter w, KernelPlan plan)
    {
        var tiles = new List<Tile>();
        EmitDriver(w, plan, tiles);
        for (int r = 1; r < plan.Rows; r++)
        {
            w.WriteLine();
            EmitRemainderRows(w, plan, r, tiles);
        }

        var emitted = new HashSet<string>();
        foreach (Tile tile in tiles)
        {
            if (emitted.Add(tile.Name))
            {
                w.WriteLine();
                EmitTile(w, plan, tile);
            }
        }
    }

    private static void EmitDriver(SourceWriter w, KernelPlan plan, List<Tile> tiles)
    {
        int mr = plan.Rows;
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The Vector256 + FMA path: {plan.Formula}, for m rows (x row stride ldx, y row stride ldy).");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock("public static void RunVector256(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m)");
        w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckKernel(Inputs, Outputs, PackedLength, x, ldx, packed, y, ldy, m);");
        w.WriteLine("ref float xr = ref MemoryMarshal.GetReference(x);");
        w.WriteLine("ref float w = ref MemoryMarshal.GetReference(packed);");
        w.WriteLine("ref float yr = ref MemoryMarshal.GetReference(y);");
        w.WriteLine($"nint full = m - (m % {mr});");
        if (plan.MainPanels > 0)
        {
            Tile tile = Tile.Main(plan, mr, 1);
            tiles.Add(tile);
            w.WriteLine();
            w.WriteLine($"// Each {plan.PanelWidth}-column panel ({plan.Inputs}x{plan.PanelWidth} floats) is swept down every {mr}-row block while it is hot in cache.");
            w.OpenBlock($"for (nint p = 0; p < {plan.MainPanels}; p++)");
            w.WriteLine("ref float wp = ref Unsafe.Add(ref w, p * PanelStride);");
            w.WriteLine($"ref float bp = ref Unsafe.Add(ref w, BiasOffset + (p * {plan.PanelWidth}));");
            w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
            w.WriteLine($"{tile.Name}(ref Unsafe.Add(ref xr, i * ldx), ldx, ref wp, ref bp, ref Unsafe.Add(ref yr, (i * ldy) + (p * {plan.PanelWidth})), ldy);");
            w.CloseBlock();
            w.CloseBlock();
        }

        if (plan.TailWidth > 0)
        {
            Tile tail = Tile.TailOf(plan, mr);
            tiles.Add(tail);
            w.WriteLine();
            w.WriteLine($"// The last {plan.TailColumns} column(s), from the zero-padded {plan.TailWidth}-wide tail panel.");
            w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
            w.WriteLine($"{tail.Name}(ref Unsafe.Add(ref xr, i * ldx), ldx, ref Unsafe.Add(ref w, TailOffset), ref Unsafe.Add(ref w, BiasOffset + MainColumns), ref Unsafe.Add(ref yr, (i * ldy) + MainColumns), ldy);");
            w.CloseBlock();
        }

        if (mr > 1)
        {
            w.WriteLine();
            w.WriteLine($"// The last m % {mr} rows.");
            w.WriteLine("ref float xt = ref Unsafe.Add(ref xr, full * ldx);");
            w.WriteLine("ref float yt = ref Unsafe.Add(ref yr, full * ldy);");
            w.OpenBlock("switch (m - full)");
            for (int r = 1; r < mr; r++)
            {
                w.WriteLine($"case {r}:");
                w.Indent();
                w.WriteLine($"Rows{r}(ref xt, ldx, ref w, ref yt, ldy);");
                w.WriteLine("break;");
                w.Unindent();
            }

            w.CloseBlock();
        }

        w.CloseBlock();
    }

    private static void EmitRemainderRows(SourceWriter w, KernelPlan plan, int r, List<Tile> tiles)
    {
        int q = plan.RowPanels[r];
        int groups = plan.MainPanels / q;
        int leftover = plan.MainPanels - (groups * q);
        w.WriteLine("/// <summary>");
        w.WriteLine(q > 1
            ? $"/// The last {r} row(s): tiles of {q} panels ({r}x{q * plan.PanelWidth}) keep {r * plan.Vectors * q} FMA chains in flight instead of {r * plan.Vectors}."
            : $"/// The last {r} row(s), one panel at a time ({r}x{plan.PanelWidth}: {r * plan.Vectors} FMA chains).");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"private static void Rows{r}(ref float x, nint ldx, ref float w, ref float y, nint ldy)");
        if (groups > 0)
        {
            Tile tile = Tile.Main(plan, r, q);
            tiles.Add(tile);
            string call = $"{tile.Name}(ref x, ldx, ref Unsafe.Add(ref w, p * PanelStride), ref Unsafe.Add(ref w, BiasOffset + (p * {plan.PanelWidth})), ref Unsafe.Add(ref y, p * {plan.PanelWidth}), ldy);";
            if (groups == 1)
            {
                w.WriteLine("nint p = 0;");
                w.WriteLine(call);
            }
            else
            {
                w.OpenBlock(q == 1 ? $"for (nint p = 0; p < {groups}; p++)" : $"for (nint p = 0; p < {groups * q}; p += {q})");
                w.WriteLine(call);
                w.CloseBlock();
            }
        }

        if (leftover > 0)
        {
            Tile tile = Tile.Main(plan, r, leftover);
            tiles.Add(tile);
            int first = groups * q;
            w.WriteLine($"{tile.Name}(ref x, ldx, ref Unsafe.Add(ref w, {first} * PanelStride), ref Unsafe.Add(ref w, BiasOffset + {first * plan.PanelWidth}), ref Unsafe.Add(ref y, {first * plan.PanelWidth}), ldy);");
        }

        if (plan.TailWidth > 0)
        {
            Tile tail = Tile.TailOf(plan, r);
            tiles.Add(tail);
            w.WriteLine($"{tail.Name}(ref x, ldx, ref Unsafe.Add(ref w, TailOffset), ref Unsafe.Add(ref w, BiasOffset + MainColumns), ref Unsafe.Add(ref y, MainColumns), ldy);");
        }

        w.CloseBlock();
    }

    private static void EmitTile(SourceWriter w, KernelPlan plan, Tile tile)
    {
        int rows = tile.Rows;
        int cols = tile.Columns.Count;
        int k = plan.Inputs;
        int unroll = plan.KUnroll;
        int kMain = k - (k % unroll);
        int remainder = k - kMain;
        bool weightsFirst = rows >= cols;

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// {tile.Description}: {rows * cols} accumulators, {(weightsFirst ? $"{cols} weight vector(s) loaded per step and each row's x[m,k] broadcast in turn" : $"{rows} broadcast(s) per step and the {cols} weight vectors streamed one at a time")}.");
        w.WriteLine($"/// K = {k}: {(kMain > 0 ? $"{kMain / unroll} iteration(s) of {unroll} steps" : "no full iteration")}{(remainder > 0 ? $", then {remainder} step(s) unrolled" : string.Empty)}.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"private static void {tile.Name}(ref float x0, nint ldx, ref float w, ref float bias, ref float y0, nint ldy)");

        w.WriteLine("// The accumulators start at the bias: acc = b[n].");
        for (int c = 0; c < cols; c++)
        {
            w.WriteLine($"Vector256<float> acc0_{c} = Vector256.LoadUnsafe(ref bias, {tile.Columns[c].YOffset});");
        }

        for (int r = 1; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"Vector256<float> acc{r}_{c} = acc0_{c};");
            }
        }

        for (int r = 1; r < rows; r++)
        {
            w.WriteLine($"ref float x{r} = ref Unsafe.Add(ref x{r - 1}, ldx);");
        }

        if (weightsFirst)
        {
            w.WriteLine($"Vector256<float> a, {Join("w", cols)};");
        }
        else
        {
            w.WriteLine($"Vector256<float> b, {Join("a", rows)};");
        }

        if (kMain > 0)
        {
            w.WriteLine();
            w.OpenBlock($"for (nint k = 0; k < {kMain}; k += {unroll})");
            for (int s = 0; s < unroll; s++)
            {
                EmitStep(w, tile, s, s == 0 ? "k" : $"k + {s}", weightsFirst);
            }

            w.WriteLine($"w = ref Unsafe.Add(ref w, {unroll * tile.StepStride});");
            w.CloseBlock();
        }

        for (int s = 0; s < remainder; s++)
        {
            EmitStep(w, tile, s, Int(kMain + s), weightsFirst);
        }

        w.WriteLine();
        string act = plan.Activation switch
        {
            Activation.Relu => "relu",
            Activation.LeakyRelu => "leaky_relu",
            _ => string.Empty,
        };
        w.WriteLine(act.Length > 0 ? $"// Epilogue: {act} on the accumulators, then store." : "// Epilogue: store.");
        if (plan.Activation == Activation.LeakyRelu)
        {
            w.WriteLine($"Vector256<float> alpha = Vector256.Create({Float(plan.Alpha)});");
        }

        for (int r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                w.WriteLine($"ref float y{r} = ref Unsafe.Add(ref y{r - 1}, ldy);");
            }

            for (int c = 0; c < cols; c++)
            {
                string acc = $"acc{r}_{c}";
                switch (plan.Activation)
                {
                    case Activation.Relu:
                        w.WriteLine($"{acc} = global::SimdCheckpoint.Numerics.Activations.Relu({acc});");
                        break;
                    case Activation.LeakyRelu:
                        w.WriteLine($"{acc} = global::SimdCheckpoint.Numerics.Activations.LeakyRelu({acc}, alpha);");
                        break;
                }

                EmitStore(w, acc, $"y{r}", tile.Columns[c].YOffset, tile.Columns[c].Store);
            }
        }

        w.CloseBlock();
    }

    private static void EmitStep(SourceWriter w, Tile tile, int step, string kIndex, bool weightsFirst)
    {
        int rows = tile.Rows;
        int cols = tile.Columns.Count;
        w.WriteLine("// " + (char.IsDigit(kIndex[0]) ? "k = " + kIndex : kIndex));
        long stepOffset = (long)step * tile.StepStride;
        if (weightsFirst)
        {
            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"w{c} = Vector256.LoadUnsafe(ref w, {stepOffset + tile.Columns[c].WOffset});");
            }

            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"a = Vector256.Create(Unsafe.Add(ref x{r}, {kIndex}));");
                for (int c = 0; c < cols; c++)
                {
                    w.WriteLine($"acc{r}_{c} = Vector256.FusedMultiplyAdd(a, w{c}, acc{r}_{c});");
                }
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"a{r} = Vector256.Create(Unsafe.Add(ref x{r}, {kIndex}));");
            }

            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"b = Vector256.LoadUnsafe(ref w, {stepOffset + tile.Columns[c].WOffset});");
                for (int r = 0; r < rows; r++)
                {
                    w.WriteLine($"acc{r}_{c} = Vector256.FusedMultiplyAdd(a{r}, b, acc{r}_{c});");
                }
            }
        }
    }

    /// <summary>Stores the first <paramref name="count"/> lanes with full, 128-bit, 64-bit and 32-bit stores.</summary>
    internal static void EmitStore(SourceWriter w, string vector, string row, int offset, int count)
    {
        if (count == Width)
        {
            w.WriteLine($"{vector}.StoreUnsafe(ref {row}, {offset});");
            return;
        }

        string half = $"{vector}.GetLower()";
        int at = offset;
        int rest = count;
        if (rest >= 4)
        {
            w.WriteLine($"{vector}.GetLower().StoreUnsafe(ref {row}, {at});");
            half = $"{vector}.GetUpper()";
            at += 4;
            rest -= 4;
        }

        if (rest >= 2)
        {
            w.WriteLine($"Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref {row}, {at})), {half}.AsDouble().ToScalar());");
            if (rest == 3)
            {
                w.WriteLine($"Unsafe.Add(ref {row}, {at + 2}) = {half}.GetElement(2);");
            }
        }
        else if (rest == 1)
        {
            w.WriteLine($"Unsafe.Add(ref {row}, {at}) = {half}.ToScalar();");
        }
    }

    private static string Join(string prefix, int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return string.Join(", ", names);
    }

    /// <summary>One microkernel: R rows by a list of 8-lane column vectors that share a K-step stride.</summary>
    private sealed class Tile
    {
        private Tile(string name, string description, int rows, List<Column> columns, int stepStride)
        {
            Name = name;
            Description = description;
            Rows = rows;
            Columns = columns;
            StepStride = stepStride;
        }

        public string Name { get; }

        public string Description { get; }

        public int Rows { get; }

        public List<Column> Columns { get; }

        /// <summary>Floats between consecutive k in the packed panel (the panel's width).</summary>
        public int StepStride { get; }

        public static Tile Main(KernelPlan plan, int rows, int panels)
        {
            var columns = new List<Column>();
            for (int q = 0; q < panels; q++)
            {
                for (int v = 0; v < plan.Vectors; v++)
                {
                    columns.Add(new Column((q * plan.PanelStride) + (v * Width), (q * plan.PanelWidth) + (v * Width), Width));
                }
            }

            int width = panels * plan.PanelWidth;
            string description = panels == 1
                ? $"{rows}x{width} tile: {rows} row(s) by one {plan.PanelWidth}-column panel"
                : $"{rows}x{width} tile: {rows} row(s) by {panels} consecutive {plan.PanelWidth}-column panels";
            return new Tile($"Tile{rows}x{width}", description, rows, columns, plan.PanelWidth);
        }

        public static Tile TailOf(KernelPlan plan, int rows)
        {
            var columns = new List<Column>();
            for (int v = 0; v * Width < plan.TailWidth; v++)
            {
                columns.Add(new Column(v * Width, v * Width, Math.Min(Width, plan.TailColumns - (v * Width))));
            }

            string description = $"{rows}x{plan.TailColumns} tail tile: {rows} row(s) by the last {plan.TailColumns} column(s), computed {plan.TailWidth} wide on zero padding and stored {plan.TailColumns} wide";
            return new Tile($"TailTile{rows}x{plan.TailColumns}", description, rows, columns, plan.TailWidth);
        }
    }

    /// <summary>An 8-lane column vector: where its weights are within a K step, where it goes in y, how many lanes are stored.</summary>
    private sealed class Column
    {
        public Column(long wOffset, int yOffset, int store)
        {
            WOffset = wOffset;
            YOffset = yOffset;
            Store = store;
        }

        public long WOffset { get; }

        public int YOffset { get; }

        public int Store { get; }
    }
}
