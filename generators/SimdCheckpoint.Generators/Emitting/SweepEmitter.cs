using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Planning;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Writes one sweep of a vector path as a class: <c>Run</c> (checks, then the panels in blocks, then softmax for a
/// softmax kernel), <c>Sweep</c> (a block of panels down every MR-row block, then the remaining rows over it) and the
/// remaining-rows methods. Generic over the kernel's constants, so every kernel the plan gives this sweep shares it.
/// </summary>
internal static class SweepEmitter
{
    public static void Emit(SourceWriter w, SweepPlan sweep, NetworkPlan plan)
    {
        string isa = sweep.Isa.Name;
        string cls = isa + sweep.Name;
        int mr = sweep.Rows;
        int pw = sweep.PanelWidth;
        string constraint = $"where TKernel : struct, {EmittedNames.IDenseKernel}";

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// {isa} ({sweep.Isa.RegisterName}, {sweep.Isa.Lanes} lanes) for {Kernels(sweep, plan)}: {Describe(sweep)}.");
        w.WriteLine("/// </summary>");
        w.OpenBlock($"private static class {cls}");

        w.WriteLine("/// <summary>The kernel over panels [firstPanel, firstPanel + panelCount) of all m rows (x row stride ldx, y row stride ldy).</summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.WriteLine("public static void Run<TKernel>(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int m, int firstPanel, int panelCount)");
        w.Indent();
        w.WriteLine(constraint);
        w.Unindent();
        w.OpenBlock();
        w.WriteLine($"{EmittedNames.KernelChecksCheckKernel}<TKernel>(x, ldx, packed, y, ldy, m, firstPanel, panelCount);");
        w.WriteLine("ref float xr = ref MemoryMarshal.GetReference(x);");
        w.WriteLine("ref float w = ref MemoryMarshal.GetReference(packed);");
        w.WriteLine("ref float yr = ref MemoryMarshal.GetReference(y);");
        w.WriteLine("nint end = (nint)firstPanel + panelCount;");
        if (mr == 1)
        {
            w.WriteLine("Sweep<TKernel>(ref xr, ldx, ref w, ref yr, ldy, m, firstPanel, end);");
        }
        else
        {
            int block = sweep.BlockPanels;
            w.WriteLine($"// Blocks of {block} panel(s): each block's panels go down every {mr}-row block, then its last m % {mr} rows while the");
            w.WriteLine("// block is still in cache, so a layer whose weights exceed the caches reads them from memory once, not twice. Fewer");
            w.WriteLine($"// than {mr} rows have no row block to reuse a block's panels: one sweep over all of them.");
            w.OpenBlock($"if (m < {mr} || TKernel.Panels <= {block})");
            w.WriteLine("Sweep<TKernel>(ref xr, ldx, ref w, ref yr, ldy, m, firstPanel, end);");
            w.CloseBlock();
            w.OpenBlock("else");
            w.OpenBlock($"for (nint p = firstPanel; p < end; p += {block})");
            w.WriteLine($"Sweep<TKernel>(ref xr, ldx, ref w, ref yr, ldy, m, p, p + {block} < end ? p + {block} : end);");
            w.CloseBlock();
            w.CloseBlock();
        }

        w.WriteLine();
        w.OpenBlock($"if (TKernel.Activation == {EmittedNames.ActivationSoftmax})");
        w.WriteLine($"// Softmax over each finished row, {isa} wide: max, exp, the sum in 16 partials then pairwise, divide.");
        w.WriteLine($"{EmittedNames.SoftmaxRows}<{EmittedNames.OpsFor(isa)}, {isa}<float>>(y, ldy, y, ldy, TKernel.Outputs, m);");
        w.CloseBlock();
        w.CloseBlock();

        // Sweep: panels [first, end) for all m rows.
        w.WriteLine();
        w.WriteLine($"/// <summary>Panels [first, end) for all m rows: the {mr}-row blocks{(mr > 1 ? $", then the last m % {mr} rows over the same panels" : string.Empty)}.</summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.WriteLine("private static void Sweep<TKernel>(ref float xr, nint ldx, ref float w, ref float yr, nint ldy, nint m, nint first, nint end)");
        w.Indent();
        w.WriteLine(constraint);
        w.Unindent();
        w.OpenBlock();
        w.WriteLine($"nint full = m - (m % {mr});");
        if (sweep.HasMain)
        {
            int q = sweep.GroupPanels;
            w.WriteLine("nint mainEnd = end < TKernel.MainPanels ? end : TKernel.MainPanels;");
            w.WriteLine("nint p = first;");
            if (sweep.KBlocked)
            {
                EmitKBlocks(w, sweep);
            }
            else
            {
                w.WriteLine(q == 1
                    ? $"// Each {pw}-column panel is swept down every {mr}-row block while it is hot in cache."
                    : $"// Each group of {q} panels is swept down every {mr}-row block while it is hot in cache.");
                bool prefetch = plan.PrefetchesWeights
                    && TileEmitter.Prefetches(TilePlan.Main(sweep.Isa, mr, q, pw), TilePolicy.KUnroll);
                if (prefetch)
                {
                    w.WriteLine("// This network's weights exceed an L2: before each row block's tile, its share of the next group's weights, which the");
                    w.WriteLine("// tile prefetches into the L2 between its FMAs, so they arrive spread over this group's row blocks.");
                }

                EmitPanelLoop(w, $"for (; p + {q} <= mainEnd; p += {q})", TileRef(sweep.Isa, mr, q, pw), mr, pw, advance: null, prefetchPanels: prefetch ? q : 0);
            }

            for (int s = SweepPlan.HighestPowerOfTwoBelow(q); s >= 1; s /= 2)
            {
                EmitPanelLoop(w, $"if (mainEnd - p >= {s})", TileRef(sweep.Isa, mr, s, pw), mr, pw, advance: s);
            }
        }

        if (sweep.Tail is not null)
        {
            w.WriteLine($"// The zero-padded tail panel, when the range ends with it.");
            w.OpenBlock("if (first <= TKernel.MainPanels && end > TKernel.MainPanels)");
            w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
            w.WriteLine($"{TailRef(sweep.Isa, mr, sweep.Tail)}<TKernel>(ref Unsafe.Add(ref xr, i * ldx), ldx, ref Unsafe.Add(ref w, TKernel.TailOffset), ref Unsafe.Add(ref w, TKernel.BiasOffset + TKernel.MainColumns), ref Unsafe.Add(ref yr, (i * ldy) + TKernel.MainColumns), ldy);");
            w.CloseBlock();
            w.CloseBlock();
        }

        if (mr > 1)
        {
            int chunk = sweep.RemainderTiles;
            w.WriteLine($"// The last m % {mr} rows{(mr - 1 > chunk ? $", in blocks of at most {chunk}" : string.Empty)}, over the same panels.");
            w.WriteLine("ref float xt = ref Unsafe.Add(ref xr, full * ldx);");
            w.WriteLine("ref float yt = ref Unsafe.Add(ref yr, full * ldy);");
            w.OpenBlock("switch (m - full)");
            for (int r = 1; r < mr; r++)
            {
                if (r <= chunk)
                {
                    w.WriteLine($"case {r}: Rows{r}<TKernel>(ref xt, ldx, ref w, ref yt, ldy, first, end); break;");
                }
                else
                {
                    w.WriteLine($"case {r}: Rows{chunk}<TKernel>(ref xt, ldx, ref w, ref yt, ldy, first, end); Rows{r - chunk}<TKernel>(ref Unsafe.Add(ref xt, {chunk} * ldx), ldx, ref w, ref Unsafe.Add(ref yt, {chunk} * ldy), ldy, first, end); break;");
                }
            }

            w.CloseBlock();
        }

        w.CloseBlock();

        for (int r = 1; r <= sweep.RemainderTiles; r++)
        {
            w.WriteLine();
            EmitRemainderRows(w, sweep, r, constraint);
        }

        w.CloseBlock();
    }

    /// <summary>The full groups of panels down the full row blocks, one K block at a time over all of them.</summary>
    private static void EmitKBlocks(SourceWriter w, SweepPlan sweep)
    {
        int q = sweep.GroupPanels;
        int mr = sweep.Rows;
        int pw = sweep.PanelWidth;
        int kc = TilePolicy.KBlock;
        string tile = Ref(TilePlan.KBlocked(sweep.Isa, mr, q, pw));
        w.WriteLine($"// K in blocks of {kc}: each block's panels go down every {mr}-row block, so a row block's x over the block stays in L1");
        w.WriteLine("// and the panels over it in L2; a later block resumes each output from the partial sum the one before stored.");
        w.WriteLine($"nint groupEnd = mainEnd - first >= {q} ? first + ((mainEnd - first) / {q} * {q}) : first;");
        w.OpenBlock($"for (nint k0 = 0; k0 < TKernel.Inputs; k0 += {kc})");
        w.WriteLine($"nint k1 = k0 + {kc} < TKernel.Inputs ? k0 + {kc} : TKernel.Inputs;");
        EmitPanelLoop(w, $"for (p = first; p < groupEnd; p += {q})", tile, mr, pw, advance: null, extraArguments: ", k0, k1");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine("p = groupEnd;");
    }

    /// <summary>
    /// A loop (or test) over panel groups: each group's weights and bias, then <paramref name="tile"/> down every full
    /// row block, with <paramref name="extraArguments"/> after the tile's usual ones (a K-block tile's range). With
    /// <paramref name="prefetchPanels"/> &gt; 0, each tile call is first given its share of the next group of that many
    /// panels to prefetch (<c>WeightPrefetch.Share</c>), when that group is all main panels.
    /// </summary>
    private static void EmitPanelLoop(SourceWriter w, string header, string tile, int mr, int pw, int? advance, string extraArguments = "", int prefetchPanels = 0)
    {
        w.OpenBlock(header);
        w.WriteLine("ref float wp = ref Unsafe.Add(ref w, p * TKernel.PanelStride);");
        w.WriteLine($"ref float bp = ref Unsafe.Add(ref w, TKernel.BiasOffset + (p * {pw}));");
        if (prefetchPanels > 0)
        {
            w.WriteLine($"bool next = p + {2 * prefetchPanels} <= TKernel.MainPanels;");
        }

        w.OpenBlock($"for (nint i = 0; i < full; i += {mr})");
        if (prefetchPanels > 0)
        {
            w.OpenBlock("if (next)");
            w.WriteLine($"{EmittedNames.WeightPrefetchShare}(ref Unsafe.Add(ref wp, {prefetchPanels} * TKernel.PanelStride), {prefetchPanels} * TKernel.PanelStride, i / {mr}, full / {mr});");
            w.CloseBlock();
        }

        w.WriteLine($"{tile}<TKernel>(ref Unsafe.Add(ref xr, i * ldx), ldx, ref wp, ref bp, ref Unsafe.Add(ref yr, (i * ldy) + (p * {pw})), ldy{extraArguments});");
        w.CloseBlock();
        if (advance is int s)
        {
            w.WriteLine($"p += {s};");
        }

        w.CloseBlock();
    }

    private static void EmitRemainderRows(SourceWriter w, SweepPlan sweep, int r, string constraint)
    {
        int q = sweep.RowPanels[r];
        int pw = sweep.PanelWidth;
        w.WriteLine($"/// <summary>{r} remaining row(s) over panels [first, end): tiles of {q} panel(s), smaller ones at the range's end{(sweep.Tail is null ? string.Empty : ", then the tail")}.</summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.WriteLine($"private static void Rows{r}<TKernel>(ref float x, nint ldx, ref float w, ref float y, nint ldy, nint first, nint end)");
        w.Indent();
        w.WriteLine(constraint);
        w.Unindent();
        w.OpenBlock();
        if (sweep.HasMain)
        {
            w.WriteLine("nint mainEnd = end < TKernel.MainPanels ? end : TKernel.MainPanels;");
            w.WriteLine("nint p = first;");
            w.OpenBlock($"for (; p + {q} <= mainEnd; p += {q})");
            w.WriteLine(PanelCall(TileRef(sweep.Isa, r, q, pw), pw));
            w.CloseBlock();
            for (int s = SweepPlan.HighestPowerOfTwoBelow(q); s >= 1; s /= 2)
            {
                w.OpenBlock($"if (mainEnd - p >= {s})");
                w.WriteLine(PanelCall(TileRef(sweep.Isa, r, s, pw), pw));
                w.WriteLine($"p += {s};");
                w.CloseBlock();
            }
        }

        if (sweep.Tail is not null)
        {
            w.OpenBlock("if (first <= TKernel.MainPanels && end > TKernel.MainPanels)");
            w.WriteLine($"{TailRef(sweep.Isa, r, sweep.Tail)}<TKernel>(ref x, ldx, ref Unsafe.Add(ref w, TKernel.TailOffset), ref Unsafe.Add(ref w, TKernel.BiasOffset + TKernel.MainColumns), ref Unsafe.Add(ref y, TKernel.MainColumns), ldy);");
            w.CloseBlock();
        }

        w.CloseBlock();
    }

    private static string PanelCall(string tile, int pw) =>
        $"{tile}<TKernel>(ref x, ldx, ref Unsafe.Add(ref w, p * TKernel.PanelStride), ref Unsafe.Add(ref w, TKernel.BiasOffset + (p * {pw})), ref Unsafe.Add(ref y, p * {pw}), ldy);";

    /// <summary>The class and name of a main tile: the runtime's stock tile, or the one this network writes.</summary>
    private static string TileRef(VectorIsa isa, int rows, int panels, int pw) => Ref(TilePlan.Main(isa, rows, panels, pw));

    private static string TailRef(VectorIsa isa, int rows, TileShape tail) => Ref(TilePlan.Tail(isa, rows, tail.Width, tail.Lanes, tail.Vectors));

    private static string Ref(TilePlan tile) =>
        (StockTiles.Contains(tile) ? EmittedNames.StockTiles(tile.Isa.Name) : tile.Isa.Name + "Tiles") + "." + tile.Name;

    /// <summary>"8-row blocks of 8x48 tiles (3 panels), remaining rows 1..6 on 1x128, 2x64, ... tiles, a 10-column tail".</summary>
    private static string Describe(SweepPlan sweep)
    {
        int pw = sweep.PanelWidth;
        var parts = new List<string>();
        if (sweep.HasMain)
        {
            parts.Add($"{sweep.Rows}-row blocks of {sweep.Rows}x{sweep.GroupPanels * pw} tiles");
        }

        if (sweep.Tail is not null)
        {
            parts.Add(sweep.HasMain ? $"the tail panel ({sweep.Tail.Width} wide) by {sweep.Tail.Vectors} vector(s) of {sweep.Tail.Lanes}" : $"{sweep.Rows}-row blocks over the tail panel only ({sweep.Tail.Width} wide)");
        }

        if (sweep.KBlocked)
        {
            parts.Add("the full row blocks in K blocks of " + TilePolicy.KBlock.ToString(CultureInfo.InvariantCulture));
        }

        if (sweep.RemainderTiles > 0 && sweep.HasMain)
        {
            var rows = new List<string>();
            for (int r = 1; r <= sweep.RemainderTiles; r++)
            {
                rows.Add($"{r}x{sweep.RowPanels[r] * pw}");
            }

            parts.Add("the last rows on " + string.Join(", ", rows) + " tiles, to keep " + TilePolicy.MinChains.ToString(CultureInfo.InvariantCulture) + " FMA chains in flight");
        }

        return string.Join("; ", parts);
    }

    private static string Kernels(SweepPlan sweep, NetworkPlan plan)
    {
        var names = new List<string>();
        foreach (int k in sweep.Kernels)
        {
            names.Add(plan.Kernels[k].Name);
        }

        return names.Count == 1 ? names[0] : string.Join(", ", names);
    }
}
