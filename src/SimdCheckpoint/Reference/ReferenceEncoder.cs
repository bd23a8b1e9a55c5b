using System;
using System.Collections.Generic;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Reference;

/// <summary>
/// The scalar reference of an encoder (<see cref="NetworkSpec.ForEncoder"/>), written for clarity rather than speed: the
/// canonical definitions of the README's contract, one float at a time, on the weights as given (dense weights
/// [out, in], PyTorch's layout). Every fast path of <see cref="SimdCheckpoint.EncoderSession{TNetwork}"/> is tested bit for bit against it.
/// </summary>
public static class ReferenceEncoder
{
    /// <summary>
    /// Runs <paramref name="spec"/> on <paramref name="batch"/> sequences of <paramref name="sequence"/> tokens; returns
    /// every network output by name ([batch·sequence, hidden] for the last hidden state, [batch, hidden] for the pooler).
    /// </summary>
    /// <exception cref="ArgumentException">The spec is not an encoder, a tensor is missing, or an input is out of range.</exception>
    public static Dictionary<string, float[]> Run(
        NetworkSpec spec, IReadOnlyDictionary<string, float[]> tensors, int[] inputIds, int[] attentionMask, int[]? tokenTypeIds, int batch, int sequence)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (spec.Encoder is null)
        {
            throw new ArgumentException($"{spec.Name} is not an encoder.", nameof(spec));
        }

        int tokens = batch * sequence;
        var values = new Dictionary<string, (float[] Data, bool PerSequence)>(StringComparer.Ordinal);
        float[] T(string name) => tensors.TryGetValue(name, out float[]? t) ? t : throw new ArgumentException($"The tensor '{name}' is missing.", nameof(tensors));
        foreach (NodeSpec node in spec.Nodes)
        {
            float[] y;
            bool perSequence = false;
            switch (node)
            {
                case EmbeddingSpec e:
                {
                    int h = e.Hidden;
                    float[] word = T(e.Name + ".word_embeddings.weight"), pos = T(e.Name + ".position_embeddings.weight"), type = T(e.Name + ".token_type_embeddings.weight");
                    y = new float[tokens * h];
                    for (int t = 0; t < tokens; t++)
                    {
                        int id = inputIds[t];
                        int tt = tokenTypeIds is null ? 0 : tokenTypeIds[t];
                        if (id < 0 || id >= e.Vocabulary || tt < 0 || tt >= e.TypeVocabulary)
                        {
                            throw new ArgumentException($"Token {t}: id {id} or type {tt} is out of range.", nameof(inputIds));
                        }

                        for (int i = 0; i < h; i++)
                        {
                            float sum = word[(id * h) + i] + type[(tt * h) + i];
                            y[(t * h) + i] = sum + pos[(t % sequence * h) + i];
                        }
                    }

                    break;
                }

                case LayerNormSpec l:
                {
                    (float[] a, perSequence) = values[l.InputTensors[0]];
                    float[]? r = l.AddsResidual ? values[l.InputTensors[1]].Data : null;
                    float[] gamma = T(l.Name + ".weight"), beta = T(l.Name + ".bias");
                    y = new float[a.Length];
                    LayerNorm(a, r, gamma, beta, l.Epsilon, y, l.Width);
                    break;
                }

                case DenseLayerSpec d:
                {
                    (float[] x, perSequence) = values[d.InputTensors[0]];
                    int rows = x.Length / d.Inputs;
                    y = new float[rows * d.Outputs];
                    ReferenceDense.Forward(x, d.Inputs, T(d.Name + ".weight"), T(d.Name + ".bias"), y, d.Outputs, rows, d.Inputs, d.Outputs, d.Activation, d.Alpha, WeightLayout.OutputsByInputs);
                    break;
                }

                case AttentionSpec at:
                {
                    float[] q = values[at.InputTensors[0]].Data, k = values[at.InputTensors[1]].Data, v = values[at.InputTensors[2]].Data;
                    int h = at.Hidden;
                    y = new float[tokens * h];
                    for (int b = 0; b < batch; b++)
                    {
                        int rows = b * sequence * h;
                        Attention(q.AsSpan(rows, sequence * h), k.AsSpan(rows, sequence * h), v.AsSpan(rows, sequence * h), attentionMask.AsSpan(b * sequence, sequence), h, at.Heads, y.AsSpan(rows, sequence * h));
                    }

                    break;
                }

                case FirstTokenSpec f:
                {
                    float[] x = values[f.InputTensors[0]].Data;
                    y = new float[batch * f.Width];
                    for (int b = 0; b < batch; b++)
                    {
                        Array.Copy(x, b * sequence * f.Width, y, b * f.Width, f.Width);
                    }

                    perSequence = true;
                    break;
                }

                default:
                    throw new ArgumentException($"The reference cannot run node '{node.Name}' ({node.Kind}).", nameof(spec));
            }

            values[node.OutputTensor!] = (y, perSequence);
        }

        var outputs = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec output in spec.Outputs)
        {
            outputs[output.Name] = values[output.Name].Data;
        }

        return outputs;
    }

    /// <summary>
    /// Layer norm of the rows of <paramref name="width"/> floats of a (+ r, when r is not null), one float at a time:
    /// s = a + r; mean = Σ s / n, each s[i] added to partial i mod 16 in ascending i and the 16 partials reduced
    /// pairwise; the variance the same way over fma(s − mean, s − mean, ·); y = fma((s − mean) / √(variance + ε), γ, β).
    /// </summary>
    internal static void LayerNorm(float[] a, float[]? r, float[] gamma, float[] beta, float epsilon, float[] y, int width)
    {
        int n = width;
        int rows = a.Length / n;
        var s = new float[n];
        var partial = new float[16];
        for (int row = 0; row < rows; row++)
        {
            for (int i = 0; i < n; i++)
            {
                s[i] = r is null ? a[(row * n) + i] : a[(row * n) + i] + r[(row * n) + i];
            }

            Array.Clear(partial);
            for (int i = 0; i < n; i++)
            {
                partial[i % 16] += s[i];
            }

            float mean = Softmax.ReducePairwise(partial) / n;
            Array.Clear(partial);
            for (int i = 0; i < n; i++)
            {
                float d = s[i] - mean;
                partial[i % 16] = MathF.FusedMultiplyAdd(d, d, partial[i % 16]);
            }

            float root = MathF.Sqrt((Softmax.ReducePairwise(partial) / n) + epsilon);
            for (int i = 0; i < n; i++)
            {
                y[(row * n) + i] = MathF.FusedMultiplyAdd((s[i] - mean) / root, gamma[i], beta[i]);
            }
        }
    }

    /// <summary>
    /// Self-attention of one sequence as the contract defines it, one float at a time: rows of <paramref name="hidden"/>
    /// floats, <paramref name="heads"/> heads; each score one fma chain over the head's columns ascending, divided by
    /// √(head size); the scalar softmax over the real keys (mask 1); each context element one fma chain over the real
    /// keys ascending.
    /// </summary>
    internal static void Attention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> mask, int hidden, int heads, Span<float> y)
    {
        int sequence = mask.Length, size = hidden / heads;
        float divisor = MathF.Sqrt(size);
        var keys = new List<int>();
        for (int j = 0; j < sequence; j++)
        {
            if (mask[j] == 1)
            {
                keys.Add(j);
            }
        }

        var p = new float[keys.Count];
        for (int head = 0; head < heads; head++)
        {
            int off = head * size;
            for (int i = 0; i < sequence; i++)
            {
                for (int j = 0; j < keys.Count; j++)
                {
                    float acc = 0f;
                    for (int c = 0; c < size; c++)
                    {
                        acc = MathF.FusedMultiplyAdd(q[(i * hidden) + off + c], k[(keys[j] * hidden) + off + c], acc);
                    }

                    p[j] = acc / divisor;
                }

                Softmax.Row(p, p, KernelPath.Scalar);
                for (int c = 0; c < size; c++)
                {
                    float acc = 0f;
                    for (int j = 0; j < keys.Count; j++)
                    {
                        acc = MathF.FusedMultiplyAdd(p[j], v[(keys[j] * hidden) + off + c], acc);
                    }

                    y[(i * hidden) + off + c] = acc;
                }
            }
        }
    }

    /// <summary>
    /// Sentence pooling as the contract defines it (<see cref="SentencePooling"/>), one float at a time: the mean of each
    /// sequence's real tokens (summed in ascending position from the first real one, then divided by their count) or
    /// its first token, then optionally divided by max(‖y‖₂, 1e-12) with ‖y‖₂² summed into 16 partials. Returns
    /// [batch, hidden].
    /// </summary>
    /// <exception cref="ArgumentException">A sequence has no real token (mean pooling).</exception>
    public static float[] Pool(float[] lastHiddenState, int[] attentionMask, int batch, int sequence, int hidden, PoolingMode mode, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(lastHiddenState);
        ArgumentNullException.ThrowIfNull(attentionMask);
        var y = new float[batch * hidden];
        Span<float> partial = stackalloc float[16];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                if (mode == PoolingMode.Cls)
                {
                    y[(b * hidden) + j] = lastHiddenState[(b * sequence * hidden) + j];
                    continue;
                }

                float sum = 0f;
                int count = 0;
                for (int t = 0; t < sequence; t++)
                {
                    if (attentionMask[(b * sequence) + t] == 1)
                    {
                        float h = lastHiddenState[(((b * sequence) + t) * hidden) + j];
                        sum = count == 0 ? h : sum + h;
                        count++;
                    }
                }

                if (count == 0)
                {
                    throw new ArgumentException($"Sequence {b} has no real token.", nameof(attentionMask));
                }

                y[(b * hidden) + j] = sum / count;
            }

            if (normalize)
            {
                partial.Clear();
                for (int j = 0; j < hidden; j++)
                {
                    float v = y[(b * hidden) + j];
                    partial[j % 16] = MathF.FusedMultiplyAdd(v, v, partial[j % 16]);
                }

                float norm = MathF.Max(MathF.Sqrt(Softmax.ReducePairwise(partial)), SentencePooling.NormalizeEpsilon);
                for (int j = 0; j < hidden; j++)
                {
                    y[(b * hidden) + j] /= norm;
                }
            }
        }

        return y;
    }
}
