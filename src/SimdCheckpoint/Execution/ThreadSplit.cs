namespace SimdCheckpoint;

/// <summary>
/// How a multi-threaded <see cref="InferenceSession{TNetwork}"/> shares one call among its threads. Every choice gives
/// the bits of one thread: no output's fma chain is ever split, only which thread computes it.
/// </summary>
public enum ThreadSplit
{
    /// <summary>
    /// Per call: <see cref="Panels"/> when the batch is below <see cref="InferenceSession{TNetwork}.MinRowsPerThread"/>·2
    /// (too few rows to split) or the packed weights exceed <see cref="InferenceSession{TNetwork}.PanelSplitWeightBytes"/>
    /// (they come from DRAM, and splitting rows would make every thread stream all of them); otherwise <see cref="Rows"/>.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Each thread runs a contiguous block of rows through the whole network with buffers of its own; threads never meet
    /// during the call. A batch below <see cref="InferenceSession{TNetwork}.MinRowsPerThread"/>·2 runs on the caller alone.
    /// </summary>
    Rows = 1,

    /// <summary>
    /// Layer by layer, each thread computes a contiguous range of the layer's column panels for every row (so it reads
    /// only its share of the weights), then all threads meet at a barrier before the next layer, which reads every
    /// column. Softmax layers, which normalise whole rows, are split by rows instead, behind the same barrier.
    /// </summary>
    Panels = 2,
}
