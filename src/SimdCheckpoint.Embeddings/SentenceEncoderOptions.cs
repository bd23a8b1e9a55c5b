namespace SimdCheckpoint.Embeddings;

/// <summary>How a <see cref="SentenceEncoder{TNetwork}"/> tokenizes, batches and pools.</summary>
public sealed class SentenceEncoderOptions
{
    /// <summary>Mean over the real tokens (the default, as sentence-transformers models such as all-MiniLM-L6-v2 pool) or the [CLS] token.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;

    /// <summary>Divide each vector by its L2 norm (so that a dot product is the cosine similarity); off by default.</summary>
    public bool Normalize { get; init; }

    /// <summary>Lower-case the text and strip its accents before WordPiece, as uncased BERT vocabularies expect (the default); false for cased ones.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>The most tokens per sentence, [CLS] and [SEP] included; longer texts are truncated (their first MaxTokens − 2 word pieces are kept). 0: the model's position count.</summary>
    public int MaxTokens { get; init; }

    /// <summary>The most sentences per encoder call: a list is embedded in batches of up to this many, shortest first.</summary>
    public int MaxBatch { get; init; } = 16;

    /// <summary>Threads per encoder call (the bits do not depend on it).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// A packed weights file of the encoder's dense layers (<c>simdcheckpoint pack</c>, or
    /// <see cref="PackedWeightsFile.Write{TNetwork}(NetworkWeights{TNetwork}, string)"/> of <see cref="EncoderWeights{TNetwork}.Dense"/>):
    /// when set, the dense layers are streamed from it within <see cref="WeightBudget"/> bytes
    /// (<see cref="EncoderSession{TNetwork}.Streaming"/>), the weights need only hold the embedding tables and layer norms
    /// (<see cref="SentenceEncoder{TNetwork}.Create"/> loads no more), and one thread computes. The vectors are the same bits.
    /// </summary>
    public string? PackedWeights { get; init; }

    /// <summary>
    /// With <see cref="PackedWeights"/>: the bytes of dense weights held in memory at once (at least the largest dense
    /// layer's packed block, <see cref="EncoderSession{TNetwork}.MinimumWeightBudget"/>). 0, the default: every layer,
    /// read once.
    /// </summary>
    public long WeightBudget { get; init; }

    /// <summary>The kernels' path; <see cref="KernelPath.Auto"/> takes the widest this machine accelerates (every path gives the same bits).</summary>
    public KernelPath Path { get; init; } = KernelPath.Auto;
}
