namespace SimdCheckpoint.Generators.Planning;

/// <summary>
/// A vector instruction set the generator emits a path for: its lane count, the vector registers a tile may use,
/// and the default register tile (rows × panels of 16 columns).
/// </summary>
internal sealed class VectorIsa
{
    /// <summary>
    /// x64 without AVX2 (SSE) and arm64 (NEON, where Vector128.FusedMultiplyAdd is one FMLA). Planned against x64's
    /// 16 registers, which NEON's 32 cover: 3 rows × one 16-column panel = 12 accumulators + 3 broadcasts + 1 weight.
    /// </summary>
    public static readonly VectorIsa Vector128 = new("Vector128", 4, 16, 3, 1, "xmm/NEON");

    /// <summary>AVX2 + FMA3: 6 rows × one panel = 12 accumulators + 2 weight vectors + 1 broadcast (MLAS's FMA3 shape).</summary>
    public static readonly VectorIsa Vector256 = new("Vector256", 8, 16, 6, 1, "ymm");

    /// <summary>AVX-512: 32 registers; 8 rows × three panels = 24 accumulators + 3 weight vectors + 1 broadcast.</summary>
    public static readonly VectorIsa Vector512 = new("Vector512", 16, 32, 8, 3, "zmm");

    /// <summary>Every vector path, in the order the forward pass prefers them.</summary>
    public static readonly VectorIsa[] All = { Vector512, Vector256, Vector128 };

    private VectorIsa(string name, int lanes, int registers, int defaultRows, int defaultPanels, string registerName)
    {
        Name = name;
        Lanes = lanes;
        Registers = registers;
        DefaultRows = defaultRows;
        DefaultPanels = defaultPanels;
        RegisterName = registerName;
    }

    /// <summary>"Vector256": the KernelPath member and the prefix of the path's methods.</summary>
    public string Name { get; }

    public int Lanes { get; }

    public int Registers { get; }

    public int DefaultRows { get; }

    public int DefaultPanels { get; }

    public string RegisterName { get; }

    /// <summary>R·V accumulators plus, whichever order the step uses, V weights and 1 broadcast or R broadcasts and 1 weight.</summary>
    public bool Fits(int rows, int vectors) => (rows * vectors) + 1 + System.Math.Min(rows, vectors) <= Registers;

    /// <summary>The C# vector type of <paramref name="lanes"/> floats.</summary>
    public static string TypeFor(int lanes) => lanes switch
    {
        4 => "Vector128",
        8 => "Vector256",
        _ => "Vector512",
    };

    /// <summary>The widest vector of at most <paramref name="maxLanes"/> lanes that divides <paramref name="width"/>.</summary>
    public static int LanesDividing(int width, int maxLanes)
    {
        int lanes = maxLanes;
        while (lanes > 4 && width % lanes != 0)
        {
            lanes /= 2;
        }

        return lanes;
    }
}
