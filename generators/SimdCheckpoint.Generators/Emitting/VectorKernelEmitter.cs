using System;
using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Planning;
using static SimdCheckpoint.Generators.Emitting.Literals;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Emits one vector path (Vector128, Vector256 or Vector512) of one kernel: a driver that walks panels and row
/// blocks, and register-tiled microkernels with no loops in the row or column directions, the K loop unrolled,
/// and every tail resolved at compile time. Every path computes each output as one FMA chain in k order, so all
/// give the scalar reference's bits.
/// </summary>
internal static class VectorKernelEmitter
{
    public static void Emit(SourceWriter w, KernelPlan plan, PathPlan path)
    {
        var tiles = new List<Tile>();
        EmitDriver(w, plan, path);
        if (plan.SplitsByPanel)
        {
            w.WriteLine();
            EmitPanelDriver(w, plan, path);
        }

        w.WriteLine();
        EmitSweep(w, plan, path, tiles);
        for (int r = 1; r <= path.RemainderTiles; r++)
        {
            w.WriteLine();
            EmitRemainderRows(w, plan, path, r, tiles);
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

    /// <summary>
    /// Run{isa}: the whole layer, as blocks of the path's block panels, each block swept by {isa}Sweep (its panels down
    /// every full row block, then the remaining rows while the block is still in cache).
    /// </summary>
    private static void EmitDriver(SourceWriter w, KernelPlan plan, PathPlan path)
    {
        string isa = path.Isa.Name;
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The {isa} path: {plan.Formula}, for m rows (x row stride ldx, y row stride ldy).");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"public static void Run{isa}(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m)");
        w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckKernel(Inputs, Outputs, PackedLength, x, ldx, packed, y, ldy, m);");
        w.WriteLine("ref float xr = ref MemoryMarshal.GetReference(x);");
        w.WriteLine("ref float w = ref MemoryMarshal.GetReference(packed);");
        w.WriteLine("ref float yr = ref MemoryMarshal.GetReference(y);");
        if (plan.Panels <= path.BlockPanels || path.Rows == 1)
        {
            w.WriteLine($"{isa}Sweep(ref xr, ldx, ref w, ref yr, ldy, m, 0, Panels);");
        }
        else
        {
            w.WriteLine();
            EmitBlockComment(w, path);
            EmitBlockedSweep(w, path, "0", "Panels");
        }

        if (plan.Activation == Activation.Softmax)
        {
            w.WriteLine();
            w.WriteLine($"// Softmax over each finished row, {path.Isa.Name} wide: max, exp, the sum in 16 partials then pairwise, divide.");
            w.WriteLine(Epilogue.SoftmaxRows(isa + "Ops", isa + "<float>"));
        }

        w.CloseBlock();
    }

    private static void EmitBlockComment(SourceWriter w, PathPlan path)
    {
        w.WriteLine($"// Blocks of {path.BlockPanels} panel(s): each block's panels go down every {path.Rows}-row block, then its last m % {path.Rows} rows while");
        w.WriteLine("// the block is still in cache, so a layer whose weights exceed the caches reads them from memory once, not twice.");
        w.WriteLine($"// Fewer than {path.Rows} rows have no row block to reuse a block's panels: one sweep over all of them.");
    }

    /// <summary>
    /// RunPanels{isa}: the columns of a contiguous range of panels only, for every row, so threads can share one layer's
    /// columns. The range goes in blocks through the same sweep as Run{isa}; each output is still one fma chain in k
    /// order, so any range gives Run{isa}'s bits for its columns.
    /// </summary>
    private static void EmitPanelDriver(SourceWriter w, KernelPlan plan, PathPlan path)
    {
        string isa = path.Isa.Name;
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The {isa} path over panels [firstPanel, firstPanel + panelCount) of the {plan.Panels} only{(plan.TailWidth > 0 ? $" (panel {plan.MainPanels} is the zero-padded tail)" : string.Empty)}, for m rows:");
        w.WriteLine($"/// the columns those panels cover, with the tiles of Run{isa}, so the same bits. Threads that each take a range share one layer.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"public static void RunPanels{isa}(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m, int firstPanel, int panelCount)");
        w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckKernel(Inputs, Outputs, PackedLength, x, ldx, packed, y, ldy, m);");
        w.WriteLine("global::SimdCheckpoint.GeneratedCodeChecks.CheckPanels(Panels, firstPanel, panelCount);");
        w.WriteLine("ref float xr = ref MemoryMarshal.GetReference(x);");
        w.WriteLine("ref float w = ref MemoryMarshal.GetReference(packed);");
        w.WriteLine("ref float yr = ref MemoryMarshal.GetReference(y);");
        w.WriteLine("nint end = (nint)firstPanel + panelCount;");
        if (path.Rows == 1)
        {
            w.WriteLine($"{isa}Sweep(ref xr, ldx, ref w, ref yr, ldy, m, firstPanel, end);");
        }
        else
        {
            w.WriteLine();
            w.WriteLine($"// In blocks of {path.BlockPanels} panel(s), as Run{isa}.");
            EmitBlockedSweep(w, path, "firstPanel", "end");
        }

        w.CloseBlock();
    }

    /// <summary>
    /// Sweeps panels [first, end) in blocks of the path's block panels (MR > 1); a batch with no full row block goes in one sweep,
    /// since no block's panels are reused by a second row block (and batch 1 then pays one call, not one per block).
    /// </summary>
    private static void EmitBlockedSweep(SourceWriter w, PathPlan path, string first, string end)
    {
        string isa = path.Isa.Name;
        int block = path.BlockPanels;
        w.OpenBlock($"if (m < {path.Rows})");
        w.WriteLine($"{isa}Sweep(ref xr, ldx, ref w, ref yr, ldy, m, {first}, {end});");
        w.CloseBlock();
        w.OpenBlock("else");
        w.OpenBlock($"for (nint p = {first}; p < {end}; p += {block})");
        w.WriteLine($"{isa}Sweep(ref xr, ldx, ref w, ref yr, ldy, m, p, p + {block} < {end} ? p + {block} : {end});");
        w.CloseBlock();
        w.CloseBlock();
    }

    /// <summary>
    /// {isa}Sweep: panels [first, end) for all m rows: groups of the path's q panels down every MR-row block (then
    /// smaller tiles of halving width for the range's last panels, then the tail tile when the range ends with it), then
    /// the last m % MR rows over the same panels.
    /// </summary>
    private static void EmitSweep(SourceWriter w, KernelPlan plan, PathPlan path, List<Tile> tiles)
    {
        int mr = path.Rows;
        string isa = path.Isa.Name;
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Panels [first, end) for all m rows: the {mr}-row blocks, then the last m % {mr} rows over the same panels.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"private static void {isa}Sweep(ref float xr, nint ldx, ref float w, ref float yr, nint ldy, nint m, nint first, nint end)");
        w.WriteLine($"nint full = m - (m % {mr});");
        if (plan.MainPanels > 0)
        {
            int q = path.TilePanels;
            w.WriteLine($"nint mainEnd = end < {plan.MainPanels} ? end : {plan.MainPanels};");
            w.WriteLine("nint p = first;");
            Tile tile = Tile.Main(plan, path, mr, q);
            tiles.Add(tile);
            w.WriteLine();
            w.WriteLine(q == 1
                ? $"// Each {plan.PanelWidth}-column panel ({plan.Inputs}x{plan.PanelWidth} floats) is swept down every {mr}-row block while it is hot in cache."
                : $"// Each group of {q} panels ({q}x{plan.Inputs}x{plan.PanelWidth} floats) is swept down every {mr}-row block while it is hot in cache.");
            w.OpenBlock($"for (; p + {q} <= mainEnd; p += {q})");
            EmitPanelRowSweep(w, plan, tile, mr);
            w.CloseBlock();
            for (int s = HighestPowerOfTwoBelow(q); s >= 1; s /= 2)
            {
                Tile piece = Tile.Main(plan, path, mr, s);
                tiles.Add(piece);
                w.WriteLine();
                w.WriteLine($"// {s} more panel(s) when the range's end leaves them.");
                w.OpenBlock($"if (mainEnd - p >= {s})");
                EmitPanelRowSweep(w, plan, piece, mr);
                w.WriteLine($"p += {s};");
                w.CloseBlock();
            }
        }

        if (plan.TailWidth > 0)
        {
            Tile tail = Tile.TailOf(plan, path, mr);
            tiles.Add(tail);
            w.WriteLine();
            w.WriteLine($"// The zero-padded tail panel, when the range ends with it: the last {plan.TailColumns} column(s).");
            w.OpenBlock($"if (first <= {plan.MainPanels} && end > {plan.MainPanels})");
            w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
            w.WriteLine($"{tail.Name}(ref Unsafe.Add(ref xr, i * ldx), ldx, ref Unsafe.Add(ref w, TailOffset), ref Unsafe.Add(ref w, BiasOffset + MainColumns), ref Unsafe.Add(ref yr, (i * ldy) + MainColumns), ldy);");
            w.CloseBlock();
            w.CloseBlock();
        }

        if (mr > 1)
        {
            int chunk = path.RemainderTiles;
            w.WriteLine();
            w.WriteLine($"// The last m % {mr} rows{(mr - 1 > chunk ? $", in blocks of at most {chunk}" : string.Empty)}, over the same panels.");
            w.WriteLine("ref float xt = ref Unsafe.Add(ref xr, full * ldx);");
            w.WriteLine("ref float yt = ref Unsafe.Add(ref yr, full * ldy);");
            w.OpenBlock("switch (m - full)");
            for (int r = 1; r < mr; r++)
            {
                w.WriteLine($"case {r}:");
                w.Indent();
                if (r <= chunk)
                {
                    w.WriteLine($"{isa}Rows{r}(ref xt, ldx, ref w, ref yt, ldy, first, end);");
                }
                else
                {
                    w.WriteLine($"{isa}Rows{chunk}(ref xt, ldx, ref w, ref yt, ldy, first, end);");
                    w.WriteLine($"{isa}Rows{r - chunk}(ref Unsafe.Add(ref xt, {chunk} * ldx), ldx, ref w, ref Unsafe.Add(ref yt, {chunk} * ldy), ldy, first, end);");
                }

                w.WriteLine("break;");
                w.Unindent();
            }

            w.CloseBlock();
        }

        w.CloseBlock();
    }

    private static void EmitPanelRowSweep(SourceWriter w, KernelPlan plan, Tile tile, int mr)
    {
        w.WriteLine("ref float wp = ref Unsafe.Add(ref w, p * PanelStride);");
        w.WriteLine($"ref float bp = ref Unsafe.Add(ref w, BiasOffset + (p * {plan.PanelWidth}));");
        w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
        w.WriteLine($"{tile.Name}(ref Unsafe.Add(ref xr, i * ldx), ldx, ref wp, ref bp, ref Unsafe.Add(ref yr, (i * ldy) + (p * {plan.PanelWidth})), ldy);");
        w.CloseBlock();
    }

    private static void EmitRemainderRows(SourceWriter w, KernelPlan plan, PathPlan path, int r, List<Tile> tiles)
    {
        int q = path.RowPanels[r];
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// {r} remaining row(s) over panels [first, end): tiles of {q} panel(s) ({r}x{q * plan.PanelWidth}), smaller ones at the range's end.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"private static void {path.Isa.Name}Rows{r}(ref float x, nint ldx, ref float w, ref float y, nint ldy, nint first, nint end)");
        if (plan.MainPanels > 0)
        {
            w.WriteLine($"nint mainEnd = end < {plan.MainPanels} ? end : {plan.MainPanels};");
            w.WriteLine("nint p = first;");
            Tile tile = Tile.Main(plan, path, r, q);
            tiles.Add(tile);
            w.OpenBlock($"for (; p + {q} <= mainEnd; p += {q})");
            w.WriteLine(PanelCall(plan, tile));
            w.CloseBlock();
            for (int s = HighestPowerOfTwoBelow(q); s >= 1; s /= 2)
            {
                Tile piece = Tile.Main(plan, path, r, s);
                tiles.Add(piece);
                w.OpenBlock($"if (mainEnd - p >= {s})");
                w.WriteLine(PanelCall(plan, piece));
                w.WriteLine($"p += {s};");
                w.CloseBlock();
            }
        }

        if (plan.TailWidth > 0)
        {
            Tile tail = Tile.TailOf(plan, path, r);
            tiles.Add(tail);
            w.OpenBlock($"if (first <= {plan.MainPanels} && end > {plan.MainPanels})");
            w.WriteLine($"{tail.Name}(ref x, ldx, ref Unsafe.Add(ref w, TailOffset), ref Unsafe.Add(ref w, BiasOffset + MainColumns), ref Unsafe.Add(ref y, MainColumns), ldy);");
            w.CloseBlock();
        }

        w.CloseBlock();
    }

    private static string PanelCall(KernelPlan plan, Tile tile) =>
        $"{tile.Name}(ref x, ldx, ref Unsafe.Add(ref w, p * PanelStride), ref Unsafe.Add(ref w, BiasOffset + (p * {plan.PanelWidth})), ref Unsafe.Add(ref y, p * {plan.PanelWidth}), ldy);";

    /// <summary>The largest power of two strictly below <paramref name="q"/> (0 for q = 1): the smaller tiles a range's end may need.</summary>
    private static int HighestPowerOfTwoBelow(int q)
    {
        int s = 0;
        for (int t = 1; t < q; t *= 2)
        {
            s = t;
        }

        return s;
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
        string vec = VectorIsa.TypeFor(tile.Lanes);

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// {tile.Description}: {rows * cols} {vec} accumulators, {(weightsFirst ? $"{cols} weight vector(s) loaded per step and each row's x[m,k] broadcast in turn" : $"{rows} broadcast(s) per step and the {cols} weight vectors streamed one at a time")}.");
        w.WriteLine($"/// K = {k}: {(kMain > 0 ? $"{kMain / unroll} iteration(s) of {unroll} steps" : "no full iteration")}{(remainder > 0 ? $", then {remainder} step(s) unrolled" : string.Empty)}.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.OpenBlock($"private static void {tile.Name}(ref float x0, nint ldx, ref float w, ref float bias, ref float y0, nint ldy)");

        w.WriteLine("// The accumulators start at the bias: acc = b[n].");
        for (int c = 0; c < cols; c++)
        {
            w.WriteLine($"{vec}<float> acc0_{c} = {vec}.LoadUnsafe(ref bias, {tile.Columns[c].YOffset});");
        }

        for (int r = 1; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"{vec}<float> acc{r}_{c} = acc0_{c};");
            }
        }

        for (int r = 1; r < rows; r++)
        {
            w.WriteLine($"ref float x{r} = ref Unsafe.Add(ref x{r - 1}, ldx);");
        }

        w.WriteLine(weightsFirst ? $"{vec}<float> a, {Join("w", cols)};" : $"{vec}<float> b, {Join("a", rows)};");

        if (kMain > 0)
        {
            w.WriteLine();
            w.OpenBlock($"for (nint k = 0; k < {kMain}; k += {unroll})");
            for (int s = 0; s < unroll; s++)
            {
                EmitStep(w, tile, vec, s, s == 0 ? "k" : $"k + {s}", weightsFirst);
            }

            w.WriteLine($"w = ref Unsafe.Add(ref w, {unroll * tile.StepStride});");
            w.CloseBlock();
        }

        for (int s = 0; s < remainder; s++)
        {
            EmitStep(w, tile, vec, s, Int(kMain + s), weightsFirst);
        }

        w.WriteLine();
        if (plan.Gradient)
        {
            w.WriteLine($"// Epilogue: y holds dY; dZ = dY ⊙ {Epilogue.Name(plan.Activation, plan.Alpha)}′(acc), one multiply, stored over it.");
        }
        else
        {
            w.WriteLine(Epilogue.IsElementwise(plan.Activation)
                ? $"// Epilogue: {ActivationNames.ToJsonName(plan.Activation)} on the accumulators, then store."
                : plan.Activation == Activation.Softmax ? "// Epilogue: store (softmax runs over each finished row after the last panel)." : "// Epilogue: store.");
            if (plan.Activation == Activation.LeakyRelu)
            {
                w.WriteLine($"{vec}<float> alpha = {vec}.Create({Float(plan.Alpha)});");
            }
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
                if (plan.Gradient)
                {
                    string dy = LoadExpression(tile.Lanes, $"y{r}", tile.Columns[c].YOffset, tile.Columns[c].Store);
                    w.WriteLine($"{acc} = {vec}.Multiply({dy}, {Epilogue.DerivativeCall(plan.Activation, plan.Alpha, vec + "Ops", vec + "<float>", acc)});");
                }
                else if (Epilogue.IsElementwise(plan.Activation))
                {
                    w.WriteLine($"{acc} = {Epilogue.Call(plan.Activation, acc)};");
                }

                EmitStore(w, acc, tile.Lanes, $"y{r}", tile.Columns[c].YOffset, tile.Columns[c].Store);
            }
        }

        w.CloseBlock();
    }

    private static void EmitStep(SourceWriter w, Tile tile, string vec, int step, string kIndex, bool weightsFirst)
    {
        int rows = tile.Rows;
        int cols = tile.Columns.Count;
        w.WriteLine("// " + (char.IsDigit(kIndex[0]) ? "k = " + kIndex : kIndex));
        long stepOffset = (long)step * tile.StepStride;
        if (weightsFirst)
        {
            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"w{c} = {vec}.LoadUnsafe(ref w, {stepOffset + tile.Columns[c].WOffset});");
            }

            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"a = {vec}.Create(Unsafe.Add(ref x{r}, {kIndex}));");
                for (int c = 0; c < cols; c++)
                {
                    w.WriteLine($"acc{r}_{c} = {vec}.FusedMultiplyAdd(a, w{c}, acc{r}_{c});");
                }
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                w.WriteLine($"a{r} = {vec}.Create(Unsafe.Add(ref x{r}, {kIndex}));");
            }

            for (int c = 0; c < cols; c++)
            {
                w.WriteLine($"b = {vec}.LoadUnsafe(ref w, {stepOffset + tile.Columns[c].WOffset});");
                for (int r = 0; r < rows; r++)
                {
                    w.WriteLine($"acc{r}_{c} = {vec}.FusedMultiplyAdd(a{r}, b, acc{r}_{c});");
                }
            }
        }
    }

    /// <summary>
    /// Stores the first <paramref name="count"/> lanes of a vector of <paramref name="lanes"/>: whole halves while
    /// they fit, then 64-bit and 32-bit stores, all chosen at compile time.
    /// </summary>
    internal static void EmitStore(SourceWriter w, string vector, int lanes, string row, int offset, int count)
    {
        if (count == lanes)
        {
            w.WriteLine($"{vector}.StoreUnsafe(ref {row}, {offset});");
            return;
        }

        if (lanes > 4)
        {
            int half = lanes / 2;
            if (count >= half)
            {
                EmitStore(w, $"{vector}.GetLower()", half, row, offset, half);
                if (count > half)
                {
                    EmitStore(w, $"{vector}.GetUpper()", half, row, offset + half, count - half);
                }
            }
            else
            {
                EmitStore(w, $"{vector}.GetLower()", half, row, offset, count);
            }

            return;
        }

        if (count >= 2)
        {
            w.WriteLine($"Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref {row}, {offset})), {vector}.AsDouble().ToScalar());");
            if (count == 3)
            {
                w.WriteLine($"Unsafe.Add(ref {row}, {offset + 2}) = {vector}.GetElement(2);");
            }
        }
        else
        {
            w.WriteLine($"Unsafe.Add(ref {row}, {offset}) = {vector}.ToScalar();");
        }
    }

    /// <summary>
    /// A vector of <paramref name="lanes"/> holding the <paramref name="count"/> floats at row[offset..] and zeros above
    /// them: a full load when every lane is in the row, otherwise built from halves and single floats, so nothing past
    /// the stored columns is ever read.
    /// </summary>
    internal static string LoadExpression(int lanes, string row, int offset, int count)
    {
        string vec = VectorIsa.TypeFor(lanes);
        if (count == lanes)
        {
            return $"{vec}.LoadUnsafe(ref {row}, {offset})";
        }

        if (lanes > 4)
        {
            int half = lanes / 2;
            string lower = count >= half ? LoadExpression(half, row, offset, half) : LoadExpression(half, row, offset, count);
            string upper = count > half ? LoadExpression(half, row, offset + half, count - half) : $"{VectorIsa.TypeFor(half)}<float>.Zero";
            return $"{vec}.Create({lower}, {upper})";
        }

        var elements = new string[4];
        for (int i = 0; i < 4; i++)
        {
            elements[i] = i < count ? $"Unsafe.Add(ref {row}, {offset + i})" : "0f";
        }

        return $"Vector128.Create({string.Join(", ", elements)})";
    }

    private static string Join(string prefix, int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = prefix + i.ToString(CultureInfo.InvariantCulture);
        }

        return string.Join(", ", names);
    }

    /// <summary>One microkernel: R rows by a list of column vectors of one width that share a K-step stride.</summary>
    private sealed class Tile
    {
        private Tile(string name, string description, int rows, int lanes, List<Column> columns, int stepStride)
        {
            Name = name;
            Description = description;
            Rows = rows;
            Lanes = lanes;
            Columns = columns;
            StepStride = stepStride;
        }

        public string Name { get; }

        public string Description { get; }

        public int Rows { get; }

        public int Lanes { get; }

        public List<Column> Columns { get; }

        /// <summary>Floats between consecutive k in the packed panel (the panel's width).</summary>
        public int StepStride { get; }

        public static Tile Main(KernelPlan plan, PathPlan path, int rows, int panels)
        {
            int lanes = path.ColumnLanes;
            var columns = new List<Column>();
            for (int q = 0; q < panels; q++)
            {
                for (int v = 0; v < path.VectorsPerPanel; v++)
                {
                    columns.Add(new Column((q * plan.PanelStride) + (v * lanes), (q * plan.PanelWidth) + (v * lanes), lanes));
                }
            }

            int width = panels * plan.PanelWidth;
            string description = panels == 1
                ? $"{rows}x{width} tile: {rows} row(s) by one {plan.PanelWidth}-column panel"
                : $"{rows}x{width} tile: {rows} row(s) by {panels} consecutive {plan.PanelWidth}-column panels";
            return new Tile($"{path.Isa.Name}Tile{rows}x{width}", description, rows, lanes, columns, plan.PanelWidth);
        }

        public static Tile TailOf(KernelPlan plan, PathPlan path, int rows)
        {
            int lanes = path.TailLanes;
            var columns = new List<Column>();
            for (int v = 0; v * lanes < plan.TailWidth; v++)
            {
                columns.Add(new Column(v * lanes, v * lanes, Math.Max(0, Math.Min(lanes, plan.TailColumns - (v * lanes)))));
            }

            // Columns wholly in the padding (possible when the tail rounds up past a vector) are neither computed nor stored.
            columns.RemoveAll(c => c.Store == 0);
            string description = $"{rows}x{plan.TailColumns} tail tile: {rows} row(s) by the last {plan.TailColumns} column(s), computed on zero-padded weights and stored {plan.TailColumns} wide";
            return new Tile($"{path.Isa.Name}TailTile{rows}x{plan.TailColumns}", description, rows, lanes, columns, plan.TailWidth);
        }
    }

    /// <summary>A column vector: where its weights are within a K step, where it goes in y, how many lanes are stored.</summary>
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
