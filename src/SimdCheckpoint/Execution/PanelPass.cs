using System;
using System.Threading;

namespace SimdCheckpoint;

/// <summary>
/// One forward pass shared by panels (<see cref="ThreadSplit.Panels"/>): for each layer, participant t of T computes
/// panels [t·P/T, (t+1)·P/T) of the layer's P column panels for every row, through
/// <see cref="IGeneratedNetwork{TSelf}.ForwardLayerPanels"/>, into the session's shared ping-pong buffers; a softmax
/// layer is split by rows instead. All participants meet at a <see cref="PhaseBarrier"/> between layers, because the
/// next layer reads every column. No output's fma chain is split, so the bits are one thread's. A participant that
/// fails keeps arriving at the barrier (doing no more work), so the others never wait for it forever; the session
/// rethrows its exception after the pass.
/// </summary>
internal sealed unsafe class PanelPass<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly NetworkWeights<TNetwork> _weights;
    private readonly PhaseBarrier _barrier;
    private readonly int[] _panels;
    private KernelPath _path;
    private float* _input;
    private float* _output;
    private float* _a;
    private float* _b;
    private int _batch;
    private int _failed;

    public PanelPass(NetworkWeights<TNetwork> weights, int participants)
    {
        _weights = weights;
        _barrier = new PhaseBarrier(participants);
        var layers = TNetwork.PackedLayout.Layers;
        _panels = new int[layers.Count];
        for (int i = 0; i < _panels.Length; i++)
        {
            _panels[i] = layers[i].Panels;
        }
    }

    public int Participants => _barrier.Participants;

    /// <summary>Sets the call; the addresses stay pinned until every participant has returned from <see cref="Run"/>.</summary>
    public void Prepare(KernelPath path, float* input, float* output, float* a, float* b, int batch)
    {
        _path = path;
        _input = input;
        _output = output;
        _a = a;
        _b = b;
        _batch = batch;
        _failed = 0;
    }

    /// <summary>Runs <paramref name="participant"/>'s share of every layer; returns its exception, if any, after the last barrier.</summary>
    public Exception? Run(int participant)
    {
        NetworkSpec spec = TNetwork.Spec;
        int count = spec.Layers.Count;
        int participants = _barrier.Participants;
        int batch = _batch;
        Exception? error = null;
        for (int layer = 0; layer < count; layer++)
        {
            if (error is null && Volatile.Read(ref _failed) == 0)
            {
                try
                {
                    RunLayer(spec, layer, participant, participants, batch);
                }
                catch (Exception e)
                {
                    error = e;
                    Volatile.Write(ref _failed, 1);
                }
            }

            if (layer < count - 1)
            {
                _barrier.SignalAndWait(participant);
            }
        }

        return error;
    }

    public void Dispose() => _barrier.Dispose();

    private void RunLayer(NetworkSpec spec, int layer, int participant, int participants, int batch)
    {
        DenseLayerSpec l = spec.Layers[layer];
        int count = spec.Layers.Count;
        float* from = layer == 0 ? _input : (layer % 2 == 1 ? _a : _b);
        float* to = layer == count - 1 ? _output : (layer % 2 == 0 ? _a : _b);
        if (l.Activation == Activation.Softmax)
        {
            // Whole rows: this participant's contiguous block of them, every panel.
            int first = (int)((long)participant * batch / participants);
            int rows = (int)((long)(participant + 1) * batch / participants) - first;
            if (rows > 0)
            {
                TNetwork.ForwardLayer(
                    _path,
                    layer,
                    _weights.Packed,
                    new ReadOnlySpan<float>(from + ((long)first * l.Inputs), rows * l.Inputs),
                    new Span<float>(to + ((long)first * l.Outputs), rows * l.Outputs),
                    rows);
            }

            return;
        }

        int panels = _panels[layer];
        int firstPanel = (int)((long)participant * panels / participants);
        int panelCount = (int)((long)(participant + 1) * panels / participants) - firstPanel;
        if (panelCount > 0)
        {
            TNetwork.ForwardLayerPanels(
                _path,
                layer,
                _weights.Packed,
                new ReadOnlySpan<float>(from, batch * l.Inputs),
                new Span<float>(to, batch * l.Outputs),
                batch,
                firstPanel,
                panelCount);
        }
    }
}
