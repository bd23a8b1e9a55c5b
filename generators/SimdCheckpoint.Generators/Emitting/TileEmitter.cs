using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Planning;
using static SimdCheckpoint.Generators.Emitting.Literals;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// Writes one path's tiles: register-tiled microkernels with no loops in the row or column directions, generic over
/// the kernel's constants so every layer that needs a tile's shape runs the same source (the JIT compiles each with
/// its K, offsets and activation as constants). Each output is one FMA chain in k order, which every path shares.
/// </summary>
internal static class TileEmitter
{
    public static void Emit(SourceWriter w, VectorIsa isa, IReadOnlyList<TilePlan> tiles, int kUnroll)
    {
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The {isa.Name} ({isa.RegisterName}) tiles every sweep of this path calls, each written once for every layer that needs its shape.");
        w.WriteLine("/// </summary>");
        w.OpenBlock($"private static class {isa.Name}Tiles");
        for (int i = 0; i < tiles.Count; i++)
        {
            if (i > 0)
            {
                w.WriteLine();
            }

            EmitTile(w, tiles[i], kUnroll);
        }

        w.CloseBlock();
    }

    private static void EmitTile(SourceWriter w, TilePlan tile, int kUnroll)
    {
        int rows = tile.Rows;
        int cols = tile.Columns.Count;
        string vec = VectorIsa.TypeFor(tile.Lanes);
        bool weightsFirst = tile.WeightsFirst;
        bool multiPanel = tile.Panels > 1;

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// {tile.Description}: {rows * cols} {vec} accumulators; per k step {(weightsFirst ? $"{cols} weight vector(s) loaded and each row's x[m,k] broadcast in turn" : $"{rows} broadcast(s) and the {cols} weight vectors streamed one at a time")}.");
        w.WriteLine(kUnroll > 1
            ? $"/// K loop unrolled by {kUnroll}; the last K mod {kUnroll} steps one at a time. Epilogue: the kernel's activation, then the store."
            : "/// Epilogue: the kernel's activation (the JIT folds TKernel's to one function), then the store.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.WriteLine($"public static void {tile.Name}<TKernel>(ref float x0, nint ldx, ref float w, ref float bias, ref float y0, nint ldy)");
        w.Indent();
        w.WriteLine($"where TKernel : struct, {EmittedNames.IDenseKernel}");
        w.Unindent();
        w.OpenBlock();
        if (multiPanel)
        {
            w.WriteLine("nuint panel = (nuint)TKernel.PanelStride;");
        }

        // The accumulators start at the bias: acc = b[n]. One line per row: its x row and its accumulators.
        var biases = new List<string>();
        for (int c = 0; c < cols; c++)
        {
            biases.Add($"b{c} = {vec}.LoadUnsafe(ref bias, {tile.Columns[c].YOffset})");
        }

        w.WriteLine($"{vec}<float> {string.Join(", ", biases)};");
        for (int r = 0; r < rows; r++)
        {
            var accs = new List<string>();
            for (int c = 0; c < cols; c++)
            {
                accs.Add($"acc{r}_{c} = b{c}");
            }

            string xRow = r == 0 ? string.Empty : $"ref float x{r} = ref Unsafe.Add(ref x{r - 1}, ldx); ";
            w.WriteLine($"{xRow}{vec}<float> {string.Join(", ", accs)};");
        }

        w.WriteLine(weightsFirst ? $"{vec}<float> a, {Join("w", cols)};" : $"{vec}<float> b, {Join("a", rows)};");
        w.WriteLine("nint k = 0;");
        if (kUnroll > 1)
        {
            w.OpenBlock($"for (; k <= TKernel.Inputs - {kUnroll}; k += {kUnroll})");
            for (int s = 0; s < kUnroll; s++)
            {
                EmitStep(w, tile, vec, s == 0 ? "k" : $"k + {s}", s * tile.StepStride, weightsFirst, multiPanel);
            }

            w.WriteLine($"w = ref Unsafe.Add(ref w, {kUnroll * tile.StepStride});");
            w.CloseBlock();
        }

        w.OpenBlock("for (; k < TKernel.Inputs; k++)");
        EmitStep(w, tile, vec, "k", 0, weightsFirst, multiPanel);
        w.WriteLine($"w = ref Unsafe.Add(ref w, {tile.StepStride});");
        w.CloseBlock();

        for (int r = 0; r < rows; r++)
        {
            var parts = new List<string>();
            if (r > 0)
            {
                parts.Add($"ref float y{r} = ref Unsafe.Add(ref y{r - 1}, ldy);");
            }

            for (int c = 0; c < cols; c++)
            {
                TileColumn column = tile.Columns[c];
                string acc = $"acc{r}_{c}";
                parts.Add($"{acc} = {EmittedNames.EpilogueApply}<TKernel>({acc});");
                parts.Add(column.Partial
                    ? $"{EmittedNames.PartialStoresStoreFirst}({acc}, ref y{r}, {column.YOffset}, TKernel.TailColumns - {column.YOffset});"
                    : $"{acc}.StoreUnsafe(ref y{r}, {column.YOffset});");
            }

            w.WriteLine(string.Join(" ", parts));
        }

        w.CloseBlock();
    }

    /// <summary>One k step, on one line per row (and a line of weight loads when they come first).</summary>
    private static void EmitStep(SourceWriter w, TilePlan tile, string vec, string k, int stepOffset, bool weightsFirst, bool multiPanel)
    {
        int rows = tile.Rows;
        int cols = tile.Columns.Count;
        if (weightsFirst)
        {
            var loads = new List<string>();
            for (int c = 0; c < cols; c++)
            {
                loads.Add($"w{c} = {vec}.LoadUnsafe(ref w, {Offset(tile.Columns[c], stepOffset, multiPanel)});");
            }

            w.WriteLine(string.Join(" ", loads));
            for (int r = 0; r < rows; r++)
            {
                var line = new List<string> { $"a = {vec}.Create(Unsafe.Add(ref x{r}, {k}));" };
                for (int c = 0; c < cols; c++)
                {
                    line.Add($"acc{r}_{c} = {vec}.FusedMultiplyAdd(a, w{c}, acc{r}_{c});");
                }

                w.WriteLine(string.Join(" ", line));
            }

            return;
        }

        var broadcasts = new List<string>();
        for (int r = 0; r < rows; r++)
        {
            broadcasts.Add($"a{r} = {vec}.Create(Unsafe.Add(ref x{r}, {k}));");
        }

        w.WriteLine(string.Join(" ", broadcasts));
        for (int c = 0; c < cols; c++)
        {
            var line = new List<string> { $"b = {vec}.LoadUnsafe(ref w, {Offset(tile.Columns[c], stepOffset, multiPanel)});" };
            for (int r = 0; r < rows; r++)
            {
                line.Add($"acc{r}_{c} = {vec}.FusedMultiplyAdd(a{r}, b, acc{r}_{c});");
            }

            w.WriteLine(string.Join(" ", line));
        }
    }

    /// <summary>The element offset of a column's weights in a step: its panel's start plus its place in the step.</summary>
    private static string Offset(TileColumn column, int stepOffset, bool multiPanel)
    {
        int inStep = stepOffset + column.WeightOffset;
        if (!multiPanel || column.Panel == 0)
        {
            return Int(inStep);
        }

        string panel = column.Panel == 1 ? "panel" : $"{column.Panel} * panel";
        return inStep == 0 ? panel : $"{panel} + {inStep}";
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
}
