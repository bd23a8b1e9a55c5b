namespace SimdCheckpoint;

/// <summary>
/// Every runtime name the generated code writes, one constant each, fully qualified so that no type of the user's own
/// namespace can capture it. The emitter writes only these; a runtime test (EmittedNamesTests) binds each one by
/// reflection, so a rename in the runtime fails a test instead of every generated network's build. Generic types are
/// written without their type arguments (the emitter appends them); a member is its type's constant, a dot and its
/// name.
/// </summary>
internal static class EmittedNames
{
    public const string NumericsNamespace = "global::SimdCheckpoint.Numerics";

    public const string NetworkSpec = "global::SimdCheckpoint.NetworkSpec";
    public const string NetworkSpecFromJson = NetworkSpec + ".FromJson";
    public const string Activation = "global::SimdCheckpoint.Activation";
    public const string ActivationSoftmax = Activation + ".Softmax";
    public const string KernelPath = "global::SimdCheckpoint.KernelPath";
    public const string KernelPathAuto = KernelPath + ".Auto";
    public const string WeightLayout = "global::SimdCheckpoint.WeightLayout";

    /// <summary>Generic: <c>IGeneratedNetwork&lt;TSelf&gt;</c>.</summary>
    public const string IGeneratedNetwork = "global::SimdCheckpoint.IGeneratedNetwork";

    /// <summary>Generic: <c>IDifferentiableNetwork&lt;TSelf&gt;</c>.</summary>
    public const string IDifferentiableNetwork = "global::SimdCheckpoint.IDifferentiableNetwork";

    /// <summary>Generic: <c>NetworkWeights&lt;TNetwork&gt;</c>.</summary>
    public const string NetworkWeights = "global::SimdCheckpoint.NetworkWeights";

    /// <summary>A static member of the generic type: the emitter puts the type argument where <c>&lt;&gt;</c> stands.</summary>
    public const string NetworkWeightsFromSafetensors = NetworkWeights + "<>.FromSafetensors";

    /// <summary>Generic: <c>InferenceSession&lt;TNetwork&gt;</c>.</summary>
    public const string InferenceSession = "global::SimdCheckpoint.InferenceSession";

    public const string IDenseKernel = "global::SimdCheckpoint.Kernels.IDenseKernel";
    public const string Epilogue = "global::SimdCheckpoint.Kernels.Epilogue";
    public const string EpilogueApply = Epilogue + ".Apply";

    /// <summary>The activation over a stored tile of 16-, 8- or 4-lane vectors: <c>(ref y, ldy, rows, columns)</c>.</summary>
    public const string EpilogueApplyStored16 = Epilogue + ".ApplyStored16";

    /// <summary>See <see cref="EpilogueApplyStored16"/>.</summary>
    public const string EpilogueApplyStored8 = Epilogue + ".ApplyStored8";

    /// <summary>See <see cref="EpilogueApplyStored16"/>.</summary>
    public const string EpilogueApplyStored4 = Epilogue + ".ApplyStored4";
    public const string PartialStores = "global::SimdCheckpoint.Kernels.PartialStores";
    public const string PartialStoresStoreFirst = PartialStores + ".StoreFirst";
    public const string KernelChecks = "global::SimdCheckpoint.Kernels.KernelChecks";
    public const string KernelChecksCheckKernel = KernelChecks + ".CheckKernel";
    public const string KernelChecksNoSuchLayer = KernelChecks + ".NoSuchLayer";
    public const string KernelChecksPathNotGenerated = KernelChecks + ".PathNotGenerated";
    public const string KernelChecksNoPreActivation = KernelChecks + ".NoPreActivation";
    public const string WeightPrefetch = "global::SimdCheckpoint.Kernels.WeightPrefetch";
    public const string WeightPrefetchShare = WeightPrefetch + ".Share";
    public const string WeightPrefetchTake = WeightPrefetch + ".Take";
    public const string WeightPrefetchLine = WeightPrefetch + ".Line";
    public const string Vector512Tiles = "global::SimdCheckpoint.Kernels.Vector512Tiles";
    public const string Vector256Tiles = "global::SimdCheckpoint.Kernels.Vector256Tiles";
    public const string Vector128Tiles = "global::SimdCheckpoint.Kernels.Vector128Tiles";

    public const string Softmax = NumericsNamespace + ".Softmax";
    public const string SoftmaxRows = Softmax + ".Rows";
    public const string ScalarOps = NumericsNamespace + ".ScalarOps";
    public const string Vector128Ops = NumericsNamespace + ".Vector128Ops";
    public const string Vector256Ops = NumericsNamespace + ".Vector256Ops";
    public const string Vector512Ops = NumericsNamespace + ".Vector512Ops";

    /// <summary>The <c>IFloatOps</c> struct of a path ("Vector512" → Vector512Ops).</summary>
    public static string OpsFor(string path) => path switch
    {
        "Vector512" => Vector512Ops,
        "Vector256" => Vector256Ops,
        "Vector128" => Vector128Ops,
        _ => ScalarOps,
    };

    /// <summary>The runtime's class of stock tiles of a path ("Vector512" → Vector512Tiles).</summary>
    public static string StockTiles(string path) => path switch
    {
        "Vector512" => Vector512Tiles,
        "Vector256" => Vector256Tiles,
        _ => Vector128Tiles,
    };

    /// <summary>A member of a generic type (<c>X&lt;&gt;.Member</c>) with its type argument.</summary>
    public static string Closed(string member, string typeArgument) => member.Replace("<>", "<" + typeArgument + ">");

    /// <summary>A <see cref="KernelPath"/> member ("Vector512" → its constant's text).</summary>
    public static string PathMember(string path) => KernelPath + "." + path;
}
