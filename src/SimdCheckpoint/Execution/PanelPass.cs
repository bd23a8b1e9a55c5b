using System;
using System.Threading;

namespace SimdCheckpoint;

/// <summary>
/// One forward pass shared by panels (<see cref="ThreadSplit.Panels"/>): for each node of the graph, participant t of
/// T computes panels [t·P/T, (t+1)·P/T) of the node's P column panels for every row, through
/// <see cref="IGeneratedNetwork{TSelf}.RunLayer"/>, into the session's shared activation buffers; a softmax layer is
/// split by rows instead. All participants meet at a <see cref="PhaseBarrier"/> between nodes, because the next node
/// reads every column. No output's fma chain is split, so the bits are one thread's. A participant that fails keeps
/// arriving at the barrier (doing no more work), so the others never wait for it forever; the session rethrows its
/// exception after the pass.
/// </summary>
internal sealed unsafe class PanelPass<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly NetworkWeights<TNetwork> _weights;
    private readonly PhaseBarrier _barrier;
    private KernelPath _path;
    private float* _input;
    private float* _output;
    private float* _arena;
    private int _batch;
    private int _failed;

    public PanelPass(NetworkWeights<TNetwork> weights, int participants)
    {
        _weights = weights;
        _barrier = new PhaseBarrier(participants);
    }

    public int Participants => _barrier.Participants;

    /// <summary>Sets the call; the addresses stay pinned until every participant has returned from <see cref="Run"/>.</summary>
    public void Prepare(KernelPath path, float* input, float* output, float* arena, int batch)
    {
        _path = path;
        _input = input;
        _output = output;
        _arena = arena;
        _batch = batch;
        _failed = 0;
    }

    /// <summary>Runs <paramref name="participant"/>'s share of every node; returns its exception, if any, after the last barrier.</summary>
    public Exception? Run(int participant)
    {
        int count = TNetwork.Spec.Nodes.Count;
        int participants = _barrier.Participants;
        Exception? error = null;
        for (int node = 0; node < count; node++)
        {
            if (error is null && Volatile.Read(ref _failed) == 0)
            {
                try
                {
                    RunNode(node, participant, participants, _batch);
                }
                catch (Exception e)
                {
                    error = e;
                    Volatile.Write(ref _failed, 1);
                }
            }

            if (node < count - 1)
            {
                _barrier.SignalAndWait(participant);
            }
        }

        return error;
    }

    public void Dispose() => _barrier.Dispose();

    private void RunNode(int node, int participant, int participants, int batch)
    {
        NetworkSpec spec = TNetwork.Spec;
        int layer = NetworkLayout<TNetwork>.NodeLayers[node];
        DenseLayerSpec l = spec.Layers[layer];
        PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
        BufferPlan plan = NetworkLayout<TNetwork>.Buffers;
        long arenaFloats = GraphExecutor<TNetwork>.ArenaFloats(batch);
        var arena = new Span<float>(_arena, (int)arenaFloats);
        var input = new ReadOnlySpan<float>(_input, batch * spec.InputSize);
        var output = new Span<float>(_output, batch * spec.OutputSize);
        ReadOnlySpan<float> from = GraphExecutor<TNetwork>.Read(plan.Read(node, 0), input, output, arena, batch);
        Span<float> to = GraphExecutor<TNetwork>.Write(plan.Write(node), output, arena, batch);
        ReadOnlySpan<float> packed = _weights.Packed.Slice(block.WeightOffset, block.Length);
        if (l.Activation == Activation.Softmax)
        {
            // Whole rows: this participant's contiguous block of them, every panel.
            int first = (int)((long)participant * batch / participants);
            int rows = (int)((long)(participant + 1) * batch / participants) - first;
            if (rows > 0)
            {
                TNetwork.RunLayer(_path, layer, from[(first * l.Inputs)..], l.Inputs, packed, to[(first * l.Outputs)..], l.Outputs, rows, 0, block.Panels);
            }

            return;
        }

        int panels = block.Panels;
        int firstPanel = (int)((long)participant * panels / participants);
        int panelCount = (int)((long)(participant + 1) * panels / participants) - firstPanel;
        if (panelCount > 0)
        {
            TNetwork.RunLayer(_path, layer, from, l.Inputs, packed, to, l.Outputs, batch, firstPanel, panelCount);
        }
    }
}
