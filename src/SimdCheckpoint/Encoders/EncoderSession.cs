using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint;

/// <summary>
/// Runs a compiled encoder (<see cref="NetworkSpec.ForEncoder"/>) on batches of token sequences: the dense layers on the
/// generated kernels over batch·sequence rows, the embedding, layer norms and attention on the runtime's canonical
/// kernels (<see cref="EncoderOps"/>), every path giving the scalar path's bits. Batch and sequence length are chosen per
/// call, up to the maxima given here; one arena, sized for them, holds every activation, so a call allocates nothing.
/// A sequence gives the same bits alone and inside any batch padded on the right (mask 0 past its end). Not thread-safe:
/// one call at a time per session.
/// </summary>
/// <remarks>
/// Activation memory: every tensor between nodes lives in one of the buffers the spec's <see cref="BufferPlan"/> assigns
/// (a buffer is reused once the tensor it held is read for the last time); a call of <c>B</c> sequences of <c>S</c>
/// tokens uses <c>Σ_b roundUp16(width_b·B·S)</c> floats for them, plus, per thread, the attention's working memory of one
/// head, <c>(headSize + 8)·roundUp16(S)</c> floats (that head's keys, transposed, and the scores of eight queries, rows padded to
/// whole vectors: it grows with S, never S²), plus <c>roundUp16(B·S + B)</c> integers for the positions of each sequence's real tokens.
/// <see cref="ActivationBytes"/> gives the figure; <see cref="LastCallActivationBytes"/> measures a call.
/// </remarks>
/// <typeparam name="TNetwork">The generated encoder type.</typeparam>
public sealed unsafe class EncoderSession<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private const int Align = 16;

    private readonly EncoderWeights<TNetwork> _weights;
    private readonly BufferPlan _plan;
    private readonly bool[] _perSequence;
    private readonly int[] _layerOfNode;
    private readonly float[] _arena;
    private readonly float* _arenaBase;
    private readonly GCHandle _pin;
    private readonly int _headSize;
    private readonly int _tokenTypeInput = -1;
    private readonly int _maskInput;
    private readonly PhaseBarrier? _barrier;
    private readonly Thread[] _helpers;
    private readonly EmbeddingSpec _embedding;
    private readonly WeightRing? _ring;
    private volatile bool _stopping;
    private Exception? _helperError;

    // The call in progress.
    private KernelPath _path;
    private int _batch;
    private int _sequence;
    private int* _ids;
    private int* _mask;
    private int* _types;
    private float* _out0;
    private float* _out1;
    private long _touched;

    /// <summary>Creates a session for up to <paramref name="maxBatch"/> sequences of up to <paramref name="maxSequence"/> tokens.</summary>
    /// <param name="weights">The encoder's weights.</param>
    /// <param name="maxBatch">The most sequences per call.</param>
    /// <param name="maxSequence">The longest sequence (padded length) per call; at most the encoder's position count.</param>
    /// <param name="path">The kernels' path; <see cref="KernelPath.Auto"/> takes the widest this machine accelerates.</param>
    /// <param name="threads">Threads per call (1 or more): rows, and attention's sequences and heads, are split between them; the bits do not change.</param>
    /// <exception cref="ArgumentException">The network is not an encoder, or a maximum is out of range.</exception>
    /// <exception cref="InvalidOperationException">The weights were loaded without their dense layers (stream them with Streaming).</exception>
    public EncoderSession(EncoderWeights<TNetwork> weights, int maxBatch, int maxSequence, KernelPath path = KernelPath.Auto, int threads = 1)
        : this(weights, maxBatch, maxSequence, path, threads, ring: null)
    {
    }

    /// <summary>
    /// Opens a session that streams the encoder's dense layers from a packed weights file (<see cref="PackedWeightsFile"/>,
    /// written from <see cref="EncoderWeights{TNetwork}.Dense"/> or by <see cref="PackedWeightsFile.WriteRandom{TNetwork}"/>)
    /// within <paramref name="weightBudget"/> bytes of weight buffers, as <see cref="StreamingSession{TNetwork}"/> streams a
    /// dense network: a reader thread reads each layer's block into a ring of buffers while the layers before it compute,
    /// and the compute runs the same kernels on the same blocks, so the results are the in-memory session's bits. The
    /// embedding tables and layer norms stay in <paramref name="weights"/>, which may be loaded without the dense layers
    /// (<c>includeDense: false</c>). One thread computes.
    /// </summary>
    /// <param name="weights">The embedding tables and layer norms (dense layers, if loaded, are not used).</param>
    /// <param name="packedPath">The packed dense layers.</param>
    /// <param name="weightBudget">Bytes of weight buffers the session may hold: at least <see cref="MinimumWeightBudget"/>; a budget that holds every layer reads them once.</param>
    /// <param name="maxBatch">The most sequences per call.</param>
    /// <param name="maxSequence">The longest sequence per call.</param>
    /// <param name="path">The kernels' path.</param>
    /// <param name="verifyChecksums">Whether to compare every block with its SHA-256 when the session opens (one pass over the file).</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget cannot hold the largest dense layer (the message gives the minimum), or a maximum is out of range.</exception>
    /// <exception cref="WeightsFormatException">The packed file is malformed, or a block does not match its checksum.</exception>
    /// <exception cref="WeightsMismatchException">The packed file was written for another network or panel width.</exception>
    /// <returns>The session; dispose it to stop its reader thread and close the file.</returns>
    public static EncoderSession<TNetwork> Streaming(
        EncoderWeights<TNetwork> weights, string packedPath, long weightBudget, int maxBatch, int maxSequence, KernelPath path = KernelPath.Auto, bool verifyChecksums = true)
        => new(weights, maxBatch, maxSequence, path, 1, OpenRing(weights, packedPath, weightBudget, verifyChecksums, WeightRing.DefaultChunkBytes));

    /// <summary>As <see cref="Streaming"/>, reading <paramref name="chunkBytes"/> of panels between publications (tests make layers arrive in many parts).</summary>
    internal static EncoderSession<TNetwork> StreamingInChunks(
        EncoderWeights<TNetwork> weights, string packedPath, long weightBudget, int maxBatch, int maxSequence, KernelPath path, int chunkBytes)
        => new(weights, maxBatch, maxSequence, path, 1, OpenRing(weights, packedPath, weightBudget, verifyChecksums: true, chunkBytes));

    /// <summary>The smallest weight budget of <see cref="Streaming"/>: one buffer as large as the largest dense layer's packed block.</summary>
    public static long MinimumWeightBudget => WeightRing.SlotBytes<TNetwork>();

    /// <summary>Whether the dense layers are streamed from a packed file (<see cref="Streaming"/>).</summary>
    public bool StreamsWeights => _ring is not null;

    /// <summary>The weight buffers a streaming session holds (0 in memory); each is <see cref="MinimumWeightBudget"/> bytes.</summary>
    public int WeightBuffers => _ring?.Slots ?? 0;

    /// <summary>Bytes of dense weights read from the packed file since the session opened (the checksum pass excluded; 0 in memory).</summary>
    public long WeightBytesRead => _ring?.BytesRead ?? 0;

    private static WeightRing OpenRing(EncoderWeights<TNetwork> weights, string packedPath, long weightBudget, bool verifyChecksums, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(packedPath);
        if (TNetwork.Spec.Encoder is null)
        {
            throw new ArgumentException($"{TNetwork.Spec.Name} is not an encoder: stream it with StreamingSession.", nameof(weights));
        }

        return WeightRing.Open<TNetwork>(packedPath, weightBudget, verifyChecksums, chunkBytes, nameof(weightBudget));
    }

    private EncoderSession(EncoderWeights<TNetwork> weights, int maxBatch, int maxSequence, KernelPath path, int threads, WeightRing? ring)
    {
        _ring = ring;
        try
        {
            ArgumentNullException.ThrowIfNull(weights);
            NetworkSpec spec = TNetwork.Spec;
            EncoderConfig config = spec.Encoder ?? throw new ArgumentException($"{spec.Name} is not an encoder: run it with InferenceSession.", nameof(weights));
            ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxSequence, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
            if (maxSequence > config.Positions)
            {
                throw new ArgumentOutOfRangeException(nameof(maxSequence), maxSequence, $"{spec.Name} has {config.Positions} positions: sequences can be at most that long.");
            }

            if (!Enum.IsDefined(path))
            {
                throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown kernel path.");
            }

            if (_ring is null && !weights.HasDense)
            {
                throw new InvalidOperationException($"These weights of {spec.Name} were loaded without their dense layers: stream them from a packed weights file with EncoderSession.Streaming, or load them with includeDense: true.");
            }

            _weights = weights;
            _path = path;
            MaxBatch = maxBatch;
            MaxSequence = maxSequence;
            Threads = threads;
            _headSize = config.HeadSize;
            _plan = BufferPlan.For(spec);
            _embedding = (EmbeddingSpec)spec.Nodes[0];
            for (int i = 0; i < spec.Inputs.Count; i++)
            {
                if (spec.Inputs[i].Name == EncoderConfig.DefaultTokenTypeIds)
                {
                    _tokenTypeInput = i;
                }

                if (spec.Inputs[i].Name == EncoderConfig.DefaultAttentionMask)
                {
                    _maskInput = i;
                }
            }

            _perSequence = new bool[spec.Nodes.Count];
            _layerOfNode = new int[spec.Nodes.Count];
            var perSequenceTensors = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
            int dense = 0;
            for (int i = 0; i < spec.Nodes.Count; i++)
            {
                NodeSpec node = spec.Nodes[i];
                bool perSequence = node.Kind == NodeKind.FirstToken;
                foreach (string t in node.InputTensors)
                {
                    perSequence |= perSequenceTensors.Contains(t);
                }

                if (perSequence)
                {
                    perSequenceTensors.Add(node.OutputTensor!);
                }

                _perSequence[i] = perSequence;
                _layerOfNode[i] = node is DenseLayerSpec ? dense++ : -1;
            }

            long floats = ActivationFloats(maxBatch, maxSequence);
            if (floats > Array.MaxLength - Align)
            {
                throw new ArgumentOutOfRangeException(nameof(maxBatch), $"{maxBatch} sequences of {maxSequence} tokens need {floats} floats of activations; at most {Array.MaxLength - Align} fit one arena.");
            }

            _arena = GC.AllocateArray<float>((int)floats + Align, pinned: true);
            _pin = GCHandle.Alloc(_arena, GCHandleType.Pinned);
            float* p = (float*)_pin.AddrOfPinnedObject();
            _arenaBase = p + ((Align - ((nint)p / sizeof(float) % Align)) % Align);
            ArenaBytes = floats * sizeof(float);

            _helpers = new Thread[threads - 1];
            if (threads > 1)
            {
                _barrier = new PhaseBarrier(threads);
                for (int t = 1; t < threads; t++)
                {
                    int participant = t;
                    _helpers[t - 1] = new Thread(() => HelperLoop(participant)) { IsBackground = true, Name = "SimdCheckpoint encoder " + t };
                    _helpers[t - 1].Start();
                }
            }
        }
        catch
        {
            ring?.Dispose();
            throw;
        }
    }

    /// <summary>The most sequences per call.</summary>
    public int MaxBatch { get; }

    /// <summary>The longest sequence per call.</summary>
    public int MaxSequence { get; }

    /// <summary>Threads per call.</summary>
    public int Threads { get; }

    /// <summary>The bytes of the arena: <see cref="ActivationBytes"/> at the maxima.</summary>
    public long ArenaBytes { get; }

    /// <summary>The arena bytes the last call touched (its high-water mark): equal to <see cref="ActivationBytes"/> of its batch and length.</summary>
    public long LastCallActivationBytes { get; private set; }

    /// <summary>The activation bytes a call of <paramref name="batch"/> sequences of <paramref name="sequence"/> tokens uses (see the remarks).</summary>
    public long ActivationBytes(int batch, int sequence) => ActivationFloats(batch, sequence) * sizeof(float);

    /// <summary>
    /// Encodes <paramref name="batch"/> sequences of <paramref name="sequence"/> tokens (row-major [batch, sequence]
    /// integers): <paramref name="lastHiddenState"/> receives [batch, sequence, hidden] floats and, for an encoder with
    /// a pooler, <paramref name="poolerOutput"/> [batch, hidden] (pass an empty span for an encoder without one).
    /// <paramref name="tokenTypeIds"/> is empty for an encoder without that input. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A size does not fit, a token id or type is outside its table, or a mask value is not 0 or 1 or a sequence has no real token.</exception>
    public void Run(
        ReadOnlySpan<int> inputIds, ReadOnlySpan<int> attentionMask, ReadOnlySpan<int> tokenTypeIds, int batch, int sequence, Span<float> lastHiddenState, Span<float> poolerOutput)
    {
        NetworkSpec spec = TNetwork.Spec;
        EncoderConfig config = spec.Encoder!;
        ObjectDisposedException.ThrowIf(_stopping, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        long tokens = (long)batch * sequence;
        if (inputIds.Length != tokens || attentionMask.Length != tokens)
        {
            throw new ArgumentException($"input_ids and attention_mask must hold batch·sequence = {batch}·{sequence} = {tokens} integers; they hold {inputIds.Length} and {attentionMask.Length}.");
        }

        if (config.TokenTypeInput ? tokenTypeIds.Length != tokens : !tokenTypeIds.IsEmpty)
        {
            throw new ArgumentException(
                config.TokenTypeInput
                    ? $"token_type_ids must hold batch·sequence = {tokens} integers; it holds {tokenTypeIds.Length}."
                    : $"{spec.Name} takes no token_type_ids (every token has type 0); pass an empty span.",
                nameof(tokenTypeIds));
        }

        if (lastHiddenState.Length != tokens * config.Hidden)
        {
            throw new ArgumentException($"last_hidden_state must hold batch·sequence·hidden = {tokens * config.Hidden} floats; it holds {lastHiddenState.Length}.", nameof(lastHiddenState));
        }

        if (config.Pooler ? poolerOutput.Length != (long)batch * config.Hidden : !poolerOutput.IsEmpty)
        {
            throw new ArgumentException(
                config.Pooler
                    ? $"pooler_output must hold batch·hidden = {(long)batch * config.Hidden} floats; it holds {poolerOutput.Length}."
                    : $"{spec.Name} has no pooler; pass an empty span for pooler_output.",
                nameof(poolerOutput));
        }

        CheckIds(inputIds, tokenTypeIds, sequence);

        fixed (int* ids = inputIds)
        fixed (int* mask = attentionMask)
        fixed (int* types = tokenTypeIds)
        fixed (float* out0 = lastHiddenState)
        fixed (float* out1 = poolerOutput)
        {
            _ids = ids;
            _mask = mask;
            _types = types;
            _out0 = out0;
            _out1 = out1;
            _batch = batch;
            _sequence = sequence;
            _touched = 0;
            PrepareKeys();
            if (_ring is not null)
            {
                try
                {
                    RunNodes(0, 1);
                }
                finally
                {
                    _ring.FinishCall();
                }
            }
            else if (_barrier is null)
            {
                RunNodes(0, 1);
            }
            else
            {
                _helperError = null;
                _barrier.SignalAndWait(0); // start
                Exception? error = null;
                try
                {
                    RunNodes(0, Threads);
                }
                catch (Exception e)
                {
                    error = e;
                }

                _barrier.SignalAndWait(0); // done
                error ??= _helperError;
                if (error is not null)
                {
                    throw error is ArgumentException ? error : new InvalidOperationException("A thread of the encoder session failed.", error);
                }
            }

            LastCallActivationBytes = Interlocked.Read(ref _touched) * sizeof(float);
            _ids = null;
            _mask = null;
            _types = null;
            _out0 = null;
            _out1 = null;
        }
    }

    /// <summary>Stops the helper threads.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (_barrier is not null)
        {
            _barrier.SignalAndWait(0);
            foreach (Thread t in _helpers)
            {
                t.Join();
            }

            _barrier.Dispose();
        }

        _ring?.Dispose();
        _pin.Free();
    }

    private long ActivationFloats(int batch, int sequence) => EncoderMemory.ActivationFloats(_plan, _headSize, batch, sequence, Threads);

    private static long RoundUp(long floats) => (floats + Align - 1) / Align * Align;

    private void CheckIds(ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int sequence)
    {
        for (int t = 0; t < inputIds.Length; t++)
        {
            if ((uint)inputIds[t] >= (uint)_embedding.Vocabulary)
            {
                throw new ArgumentException($"input_ids[{t / sequence}, {t % sequence}] is {inputIds[t]}; {TNetwork.Spec.Name}'s vocabulary holds ids 0 to {_embedding.Vocabulary - 1}.", nameof(inputIds));
            }
        }

        for (int t = 0; t < tokenTypeIds.Length; t++)
        {
            if ((uint)tokenTypeIds[t] >= (uint)_embedding.TypeVocabulary)
            {
                throw new ArgumentException($"token_type_ids[{t / sequence}, {t % sequence}] is {tokenTypeIds[t]}; {TNetwork.Spec.Name} has token types 0 to {_embedding.TypeVocabulary - 1}.", nameof(tokenTypeIds));
            }
        }
    }

    /// <summary>Offsets of the call's buffers and scratch in the arena, in floats: buffer b, then keys, then each thread's scratch.</summary>
    private long BufferOffset(int buffer)
    {
        long tokens = (long)_batch * _sequence;
        long offset = 0;
        for (int b = 0; b < buffer; b++)
        {
            offset += RoundUp(_plan.BufferWidths[b] * tokens);
        }

        return offset;
    }

    private Span<float> Arena(long offset, long length)
    {
        long end = offset + length;
        long seen;
        while (end > (seen = Interlocked.Read(ref _touched)) && Interlocked.CompareExchange(ref _touched, end, seen) != seen)
        {
        }

        return new Span<float>(_arenaBase + offset, checked((int)length));
    }

    /// <summary>Per sequence, the positions of its real tokens (ascending) and their count; checks the mask.</summary>
    private void PrepareKeys()
    {
        long tokens = (long)_batch * _sequence;
        Span<int> keys = MemoryMarshal.Cast<float, int>(Arena(BufferOffset(_plan.BufferWidths.Count), RoundUp(tokens + _batch)));
        for (int b = 0; b < _batch; b++)
        {
            var mask = new ReadOnlySpan<int>(_mask + ((long)b * _sequence), _sequence);
            keys[(int)tokens + b] = EncoderOps.ValidKeys(mask, keys.Slice(b * _sequence, _sequence), b);
        }
    }

    private void HelperLoop(int participant)
    {
        PhaseBarrier barrier = _barrier!;
        while (true)
        {
            barrier.SignalAndWait(participant); // start (or stop)
            if (_stopping)
            {
                return;
            }

            try
            {
                RunNodes(participant, Threads);
            }
            catch (Exception e)
            {
                _helperError ??= e;
            }

            barrier.SignalAndWait(participant); // done
        }
    }

    private void RunNodes(int participant, int participants)
    {
        NetworkSpec spec = TNetwork.Spec;
        for (int node = 0; node < spec.Nodes.Count; node++)
        {
            RunNode(node, participant, participants);
            if (participants > 1 && node + 1 < spec.Nodes.Count)
            {
                _barrier!.SignalAndWait(participant);
            }
        }
    }

    private Span<float> Tensor(TensorLocation location, bool perSequence)
    {
        long rows = perSequence ? _batch : (long)_batch * _sequence;
        long length = rows * location.Width;
        return location.Home switch
        {
            TensorHome.Output => new Span<float>(location.Index == 0 ? _out0 : _out1, checked((int)length)),
            TensorHome.Buffer => Arena(BufferOffset(location.Index), length),
            _ => throw new InvalidOperationException("An encoder node reads a network input as floats."),
        };
    }

    private void RunNode(int node, int participant, int participants)
    {
        NetworkSpec spec = TNetwork.Spec;
        NodeSpec n = spec.Nodes[node];
        int tokens = _batch * _sequence;
        bool perSequence = _perSequence[node];
        int rows = perSequence ? _batch : tokens;
        int first = (int)((long)participant * rows / participants);
        int count = (int)((long)(participant + 1) * rows / participants) - first;
        Span<float> to = Tensor(_plan.Write(node), perSequence);
        KernelPath path = Elementwise.Resolve(_path);
        switch (n)
        {
            case DenseLayerSpec d:
            {
                if (count == 0)
                {
                    return;
                }

                int layer = _layerOfNode[node];
                PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
                ReadOnlySpan<float> from = Tensor(_plan.Read(node, 0), perSequence);
                if (_ring is not null)
                {
                    // One thread: all the rows, first = 0.
                    _ring.RunLayer<TNetwork>(path, layer, from, to, count);
                    return;
                }

                ReadOnlySpan<float> packed = _weights.Dense.Packed.Slice(block.WeightOffset, block.Length);
                TNetwork.RunLayer(path, layer, from[(first * d.Inputs)..], d.Inputs, packed, to[(first * d.Outputs)..], d.Outputs, count, 0, block.Panels);
                return;
            }

            case EmbeddingSpec e:
                Embed(e, node, first, count, to, path);
                return;

            case LayerNormSpec l:
            {
                if (count == 0)
                {
                    return;
                }

                ReadOnlySpan<float> p = _weights.Parameters(node);
                ReadOnlySpan<float> a = Tensor(_plan.Read(node, 0), perSequence).Slice(first * l.Width, count * l.Width);
                ReadOnlySpan<float> r = l.AddsResidual ? Tensor(_plan.Read(node, 1), perSequence).Slice(first * l.Width, count * l.Width) : default;
                Span<float> y = to.Slice(first * l.Width, count * l.Width);
                switch (path)
                {
                    case KernelPath.Vector512:
                        EncoderOps.LayerNormRows<Vector512Ops, Vector512<float>>(a, r, p[..l.Width], p[l.Width..], l.Epsilon, y, count);
                        break;
                    case KernelPath.Vector256:
                        EncoderOps.LayerNormRows<Vector256Ops, Vector256<float>>(a, r, p[..l.Width], p[l.Width..], l.Epsilon, y, count);
                        break;
                    case KernelPath.Vector128:
                        EncoderOps.LayerNormRows<Vector128Ops, Vector128<float>>(a, r, p[..l.Width], p[l.Width..], l.Epsilon, y, count);
                        break;
                    default:
                        EncoderOps.LayerNormRows<ScalarOps, float>(a, r, p[..l.Width], p[l.Width..], l.Epsilon, y, count);
                        break;
                }

                return;
            }

            case AttentionSpec at:
                Attend(at, node, participant, participants, to, path);
                return;

            case FirstTokenSpec f:
            {
                ReadOnlySpan<float> from = Tensor(_plan.Read(node, 0), perSequence: false);
                for (int b = first; b < first + count; b++)
                {
                    from.Slice(b * _sequence * f.Width, f.Width).CopyTo(to.Slice(b * f.Width, f.Width));
                }

                return;
            }

            default:
                throw new InvalidOperationException($"The encoder session cannot run node {node} ('{n.Name}', {n.Kind}).");
        }
    }

    private void Embed(EmbeddingSpec e, int node, int first, int count, Span<float> to, KernelPath path)
    {
        ReadOnlySpan<float> p = _weights.Parameters(node);
        int h = e.Hidden;
        ReadOnlySpan<float> word = p[..(e.Vocabulary * h)];
        ReadOnlySpan<float> position = p.Slice(e.Vocabulary * h, e.Positions * h);
        ReadOnlySpan<float> type = p.Slice((e.Vocabulary + e.Positions) * h, e.TypeVocabulary * h);
        for (int t = first; t < first + count; t++)
        {
            int id = _ids[t];
            int tt = _types is null || _tokenTypeInput < 0 ? 0 : _types[t];
            ReadOnlySpan<float> w = word.Slice(id * h, h);
            ReadOnlySpan<float> ty = type.Slice(tt * h, h);
            ReadOnlySpan<float> pos = position.Slice(t % _sequence * h, h);
            Span<float> y = to.Slice(t * h, h);
            switch (path)
            {
                case KernelPath.Vector512:
                    EncoderOps.EmbedToken<Vector512Ops, Vector512<float>>(w, ty, pos, y);
                    break;
                case KernelPath.Vector256:
                    EncoderOps.EmbedToken<Vector256Ops, Vector256<float>>(w, ty, pos, y);
                    break;
                case KernelPath.Vector128:
                    EncoderOps.EmbedToken<Vector128Ops, Vector128<float>>(w, ty, pos, y);
                    break;
                default:
                    EncoderOps.EmbedToken<ScalarOps, float>(w, ty, pos, y);
                    break;
            }
        }
    }

    private void Attend(AttentionSpec a, int node, int participant, int participants, Span<float> to, KernelPath path)
    {
        long tokens = (long)_batch * _sequence;
        ReadOnlySpan<float> q = Tensor(_plan.Read(node, 0), false);
        ReadOnlySpan<float> k = Tensor(_plan.Read(node, 1), false);
        ReadOnlySpan<float> v = Tensor(_plan.Read(node, 2), false);
        ReadOnlySpan<int> keys = MemoryMarshal.Cast<float, int>(Arena(BufferOffset(_plan.BufferWidths.Count), RoundUp(tokens + _batch)));
        long scratchFloats = RoundUp(EncoderOps.ScratchFloats(_headSize, _sequence));
        Span<float> scratch = Arena(BufferOffset(_plan.BufferWidths.Count) + RoundUp(tokens + _batch) + (participant * scratchFloats), scratchFloats);
        int h = a.Hidden;
        int units = _batch * a.Heads;
        int first = (int)((long)participant * units / participants);
        int last = (int)((long)(participant + 1) * units / participants);
        for (int u = first; u < last; u++)
        {
            int b = u / a.Heads;
            int head = u % a.Heads;
            int count = keys[(int)tokens + b];
            ReadOnlySpan<int> real = keys.Slice(b * _sequence, count);
            int rows = b * _sequence * h;
            int size = _sequence * h;
            ReadOnlySpan<float> qb = q.Slice(rows, size), kb = k.Slice(rows, size), vb = v.Slice(rows, size);
            Span<float> cb = to.Slice(rows, size);
            switch (path)
            {
                case KernelPath.Vector512:
                    EncoderOps.AttentionHead<Vector512Ops, Vector512<float>>(qb, kb, vb, h, head * _headSize, _headSize, _sequence, real, scratch, cb);
                    break;
                case KernelPath.Vector256:
                    EncoderOps.AttentionHead<Vector256Ops, Vector256<float>>(qb, kb, vb, h, head * _headSize, _headSize, _sequence, real, scratch, cb);
                    break;
                case KernelPath.Vector128:
                    EncoderOps.AttentionHead<Vector128Ops, Vector128<float>>(qb, kb, vb, h, head * _headSize, _headSize, _sequence, real, scratch, cb);
                    break;
                default:
                    EncoderOps.AttentionHead<ScalarOps, float>(qb, kb, vb, h, head * _headSize, _headSize, _sequence, real, scratch, cb);
                    break;
            }
        }
    }
}

/// <summary>The activation memory of an encoder call, from its spec alone (what <see cref="EncoderSession{TNetwork}.ActivationBytes"/> states and a call measures).</summary>
public static class EncoderMemory
{
    /// <summary>
    /// The bytes a call of <paramref name="batch"/> sequences of <paramref name="sequence"/> tokens on
    /// <paramref name="threads"/> threads uses: <c>Σ_b roundUp16(width_b·B·S)</c> floats for the buffer plan's buffers,
    /// <c>roundUp16(B·S + B)</c> integers for the real tokens' positions, and per thread <c>(headSize + 8)·roundUp16(S)</c>
    /// floats of attention scratch.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is not an encoder.</exception>
    public static long ActivationBytes(NetworkSpec spec, int batch, int sequence, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        EncoderConfig config = spec.Encoder ?? throw new ArgumentException($"{spec.Name} is not an encoder.", nameof(spec));
        return ActivationFloats(BufferPlan.For(spec), config.HeadSize, batch, sequence, threads) * sizeof(float);
    }

    internal static long ActivationFloats(BufferPlan plan, int headSize, int batch, int sequence, int threads)
    {
        long tokens = (long)batch * sequence;
        long floats = 0;
        foreach (int width in plan.BufferWidths)
        {
            floats += RoundUp(width * tokens);
        }

        floats += RoundUp(tokens + batch); // the real keys' positions and counts (integers)
        floats += threads * RoundUp(EncoderOps.ScratchFloats(headSize, sequence));
        return floats;
    }

    private static long RoundUp(long floats) => (floats + 15) / 16 * 16;
}
