using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// What bounds <see cref="EncoderInference"/>: each kind of operation of one MiniLM-sized encoder layer (hidden 384, 12
/// heads, FFN 1536) alone, on one thread, on the path the session takes, over one sequence of <see cref="Tokens"/>
/// tokens: a 384 → 384 dense layer (Q, K, V and the attention output are four of these), the FFN input 384 → 1536 with
/// its exact GELU, the FFN output 1536 → 384, the attention of all 12 heads (scores, softmax, context), and one
/// residual-add layer norm (two per layer). Seeded weights and inputs (the values do not change the work). Run it
/// with the FMA peak (<c>--filter '*EncoderOpCosts*' '*FmaPeak*' --join</c>) for the fraction-of-peak column.
/// </summary>
[MemoryDiagnoser]
public class EncoderOpCosts
{
    private const int Hidden = 384, Heads = 12, Intermediate = 1536;

    private float[] _x = null!, _x2 = null!, _wide = null!, _y = null!, _yWide = null!, _gamma = null!, _beta = null!, _scratch = null!;
    private int[] _keys = null!;
    private NetworkWeights<MiniLm> _weights = null!;

    /// <summary>The operation.</summary>
    [Params("dense 384x384", "dense 384x1536 gelu", "dense 1536x384", "attention", "layernorm")]
    public string Op { get; set; } = "dense 384x384";

    /// <summary>Tokens of the one sequence (every one real).</summary>
    [Params(16, 128, 256)]
    public int Tokens { get; set; } = 128;

    /// <summary>
    /// FLOPs of one call (an FMA counts 2): a dense layer 2·K·N per token; attention 4·hidden·S per token (scores and
    /// context; the softmax's exponentials are not counted); layer norm, by this suite's convention, 8 per element.
    /// </summary>
    public static long Flops(string op, int tokens) => op switch
    {
        "dense 384x384" => 2L * Hidden * Hidden * tokens,
        "dense 384x1536 gelu" or "dense 1536x384" => 2L * Hidden * Intermediate * tokens,
        "attention" => 4L * Hidden * tokens * tokens,
        "layernorm" => 8L * Hidden * tokens,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown operation."),
    };

    [GlobalSetup]
    public void Setup()
    {
        _weights = NetworkWeights<MiniLm>.FromLayers(RandomWeights.Create(MiniLm.Spec, 7));
        var random = new DeterministicRandom(8);
        _x = new float[Tokens * Hidden];
        _x2 = new float[Tokens * Hidden];
        _wide = new float[Tokens * Intermediate];
        _y = new float[Tokens * Hidden];
        _yWide = new float[Tokens * Intermediate];
        _gamma = new float[Hidden];
        _beta = new float[Hidden];
        random.Fill(_x, 1f);
        random.Fill(_x2, 1f);
        random.Fill(_wide, 1f);
        random.Fill(_gamma, 1f);
        random.Fill(_beta, 1f);
        _keys = new int[Tokens];
        for (int t = 0; t < Tokens; t++)
        {
            _keys[t] = t;
        }

        _scratch = new float[EncoderOps.ScratchFloats(Hidden / Heads, Tokens)];
    }

    [Benchmark]
    public void Run()
    {
        switch (Op)
        {
            case "dense 384x384":
                Dense<MiniLm>(0, _x, _y);
                break;
            case "dense 384x1536 gelu":
                Dense<MiniLm>(4, _x, _yWide);
                break;
            case "dense 1536x384":
                Dense<MiniLm>(5, _wide, _y);
                break;
            case "attention":
                Attention();
                break;
            default:
                EncoderOps.LayerNorm(_x, _x2, _gamma, _beta, 1e-12f, _y, Tokens);
                break;
        }
    }

    private void Dense<TNetwork>(int layer, float[] x, float[] y)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
        DenseLayerSpec d = TNetwork.Spec.Layers[layer];
        TNetwork.RunLayer(KernelPath.Auto, layer, x, d.Inputs, _weights.Packed.Slice(block.WeightOffset, block.Length), y, d.Outputs, Tokens, 0, block.Panels);
    }

    private void Attention()
    {
        // As the session runs it: Q, K and V of [tokens, hidden], every head, the real keys' positions, one head's scratch.
        switch (Elementwise.Resolve(KernelPath.Auto))
        {
            case KernelPath.Vector512:
                EncoderOps.AttentionSequence<Vector512Ops, Vector512<float>>(_x, _x2, _x, Hidden, Heads, Tokens, _keys, _scratch, _y);
                break;
            case KernelPath.Vector256:
                EncoderOps.AttentionSequence<Vector256Ops, Vector256<float>>(_x, _x2, _x, Hidden, Heads, Tokens, _keys, _scratch, _y);
                break;
            default:
                EncoderOps.AttentionSequence<Vector128Ops, Vector128<float>>(_x, _x2, _x, Hidden, Heads, Tokens, _keys, _scratch, _y);
                break;
        }
    }
}
