using System.Collections.Generic;
using System.Globalization;
using SimdCheckpoint.Generators.Model;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// Everything the emitter writes for one network, decided here as values: the packed layout, one kernel per distinct
/// layer shape (and, for a network with gradients, the backward pass's kernels), the distinct sweeps per vector path
/// with the kernels that share each, and the distinct tiles per path. The emitter only turns this into text.
/// </summary>
internal sealed class NetworkPlan
{
    private NetworkPlan(NetworkSpec spec, int panelWidth, int rowsOverride, bool gradients)
    {
        Spec = spec;
        PanelWidth = panelWidth;
        RowsOverride = rowsOverride;
        Gradients = gradients;
        Layout = PackedNetworkLayout.For(spec, panelWidth);
        Buffers = BufferPlan.For(spec);
        int count = spec.Layers.Count;
        LayerKernels = new int[count];
        TransposedKernels = new int[count];
        PreActivationKernels = new int[count];
        if (gradients)
        {
            TransposedLayout = PackedNetworkLayout.ForTransposed(spec, panelWidth);
        }

        for (int i = 0; i < count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            LayerKernels[i] = Find(layer.Inputs, layer.Outputs, layer.Activation, layer.Alpha, KernelRole.Forward, i);
        }

        // The backward pass's kernels come after the forward ones, and share them where the shapes agree. dX = dZ·Wᵀ is
        // the identity kernel of shape N -> K on the transposed block (zero bias); a layer whose derivative reads the
        // pre-activation recomputes it with the identity kernel of its own shape.
        for (int i = 0; i < count; i++)
        {
            DenseLayerSpec layer = spec.Layers[i];
            TransposedKernels[i] = -1;
            PreActivationKernels[i] = -1;
            if (!gradients)
            {
                continue;
            }

            TransposedKernels[i] = Find(layer.Outputs, layer.Inputs, Activation.Identity, 0f, KernelRole.Transposed, i);
            if (ActivationInfo.ReadsPreActivation(layer.Activation, layer.Alpha))
            {
                PreActivationKernels[i] = Find(layer.Inputs, layer.Outputs, Activation.Identity, 0f, KernelRole.PreActivation, i);
            }
        }

        foreach (VectorIsa isa in VectorIsa.All)
        {
            var sweeps = new List<SweepPlan>();
            var tiles = new List<TilePlan>();
            var tileNames = new HashSet<string>();
            for (int k = 0; k < Kernels.Count; k++)
            {
                SweepPlan sweep = SweepPlan.Create(isa, Kernels[k].Layout, isa == VectorIsa.Vector256 ? rowsOverride : 0);
                SweepPlan? same = sweeps.Find(s => s.Key == sweep.Key);
                if (same is null)
                {
                    sweep.Name = "Sweep" + sweeps.Count.ToString(CultureInfo.InvariantCulture);
                    sweeps.Add(sweep);
                    same = sweep;
                    foreach (TilePlan tile in sweep.Tiles())
                    {
                        // The runtime ships the tiles of the default plan; only an overridden shape's are written here.
                        if (!StockTiles.Contains(tile) && tileNames.Add(tile.Name))
                        {
                            tiles.Add(tile);
                        }
                    }
                }

                same.Kernels.Add(k);
                Kernels[k].Sweeps.Add(same);
            }

            SortTiles(tiles);
            Sweeps.Add(sweeps);
            Tiles.Add(tiles);
        }
    }

    public NetworkSpec Spec { get; }

    /// <summary>NR: the packed panel width, shared by every layer and path.</summary>
    public int PanelWidth { get; }

    /// <summary>The Vector256 path's MR when the declaration overrides it; 0 for the planner's choice.</summary>
    public int RowsOverride { get; }

    /// <summary>Whether the network gets the backward pass's kernels.</summary>
    public bool Gradients { get; }

    public PackedNetworkLayout Layout { get; }

    /// <summary>Whether the packed weights exceed <see cref="TilePolicy.PrefetchAboveBytes"/>: the sweeps then share, and the tiles issue, the next panel group's prefetches.</summary>
    public bool PrefetchesWeights => (long)Layout.Length * sizeof(float) > TilePolicy.PrefetchAboveBytes;

    /// <summary>Each layer's Wᵀ, when the network has gradients.</summary>
    public PackedNetworkLayout? TransposedLayout { get; }

    /// <summary>Which activation buffer each tensor of a forward pass lives in.</summary>
    public BufferPlan Buffers { get; }

    public List<KernelPlan> Kernels { get; } = new();

    /// <summary>The kernel of each dense layer's forward pass.</summary>
    public int[] LayerKernels { get; }

    /// <summary>The kernel of each layer's dX = dZ·Wᵀ (-1 without gradients).</summary>
    public int[] TransposedKernels { get; }

    /// <summary>The kernel of each layer's pre-activation, where its derivative reads it (-1 elsewhere).</summary>
    public int[] PreActivationKernels { get; }

    /// <summary>Per vector path (in <see cref="VectorIsa.All"/> order), its distinct sweeps.</summary>
    public List<List<SweepPlan>> Sweeps { get; } = new();

    /// <summary>
    /// Per vector path, the distinct tiles the generated code must write itself: those of an overridden tile shape
    /// (the default plan's are <see cref="StockTiles"/>); main tiles, tallest and widest first, then tail tiles.
    /// </summary>
    public List<List<TilePlan>> Tiles { get; } = new();

    /// <summary>Main tiles first, taller then wider first; then tail tiles, taller then wider first.</summary>
    public static void SortTiles(List<TilePlan> tiles) =>
        tiles.Sort((a, b) => a.IsTail != b.IsTail ? (a.IsTail ? 1 : -1)
            : a.Rows != b.Rows ? b.Rows.CompareTo(a.Rows)
            : a.Panels != b.Panels ? b.Panels.CompareTo(a.Panels)
            : a.Columns.Count != b.Columns.Count ? b.Columns.Count.CompareTo(a.Columns.Count)
            : string.CompareOrdinal(a.Name, b.Name));

    /// <summary>Plans a network; the tile override sets NR for every path and MR for Vector256.</summary>
    public static NetworkPlan Create(NetworkSpec spec, TileOverride tile, bool gradients)
    {
        int columns = tile.Columns == 0 ? TilePolicy.DefaultColumns : tile.Columns;
        return new NetworkPlan(spec, columns, tile.Rows, gradients);
    }

    private int Find(int inputs, int outputs, Activation activation, float alpha, KernelRole role, int layer)
    {
        int index = Kernels.FindIndex(k => k.Matches(inputs, outputs, activation, alpha));
        if (index < 0)
        {
            string act = activation == Activation.Identity ? string.Empty : activation.ToString();
            string name = "Dense" + inputs.ToString(CultureInfo.InvariantCulture) + "x" + outputs.ToString(CultureInfo.InvariantCulture) + act;
            string unique = name;
            for (int n = 2; Kernels.Exists(k => k.Name == unique); n++)
            {
                unique = name + "_" + n.ToString(CultureInfo.InvariantCulture);
            }

            Kernels.Add(new KernelPlan(unique, inputs, outputs, activation, alpha, PackedLayer.For(inputs, outputs, PanelWidth, 0)));
            index = Kernels.Count - 1;
        }

        Kernels[index].Uses.Add((role, layer));
        return index;
    }
}
