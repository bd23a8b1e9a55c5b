using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Generators.Planning;

/// <summary>What a kernel is for: a layer's forward pass, its backward pass's dX = dZ·Wᵀ, or its pre-activation.</summary>
internal enum KernelRole
{
    Forward,
    Transposed,
    PreActivation,
}

/// <summary>
/// One dense kernel, shared by every use of the same K, N, activation and parameter: its packed layout (at the start
/// of its block) and, per vector path, the sweep that runs it. The emitter writes it as a struct of constants that
/// the path's generic sweep and tiles are instantiated with.
/// </summary>
internal sealed class KernelPlan
{
    public KernelPlan(string name, int inputs, int outputs, Activation activation, float alpha, PackedLayer layout)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Alpha = alpha;
        Layout = layout;
    }

    /// <summary>"Dense784x256Relu".</summary>
    public string Name { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public Activation Activation { get; }

    public float Alpha { get; }

    /// <summary>The kernel's block, at offset 0: every constant the kernel's code needs.</summary>
    public PackedLayer Layout { get; }

    /// <summary>Per vector path (in <see cref="VectorIsa.All"/> order), the sweep that runs this kernel.</summary>
    public List<SweepPlan> Sweeps { get; } = new();

    /// <summary>Every (role, layer) the kernel serves.</summary>
    public List<(KernelRole Role, int Layer)> Uses { get; } = new();

    /// <summary>The canonical formula the kernel implements, for its header.</summary>
    public string Formula
    {
        get
        {
            string k = (Inputs - 1).ToString(CultureInfo.InvariantCulture);
            string sum = $"acc = b[n]; for k = 0..{k} ascending: acc = fma(x[m,k], W[k,n], acc)";
            return ActivationInfo.Of(Activation).Epilogue switch
            {
                EpilogueKind.None => $"y[m,n] = acc, {sum}",
                EpilogueKind.Row => $"y[m,:] = softmax(acc[m,:]) over the row, {sum}",
                _ => $"y[m,n] = {ActivationInfo.Describe(Activation, Alpha)}(acc), {sum}",
            };
        }
    }

    public bool Matches(int inputs, int outputs, Activation activation, float alpha) =>
        inputs == Inputs && outputs == Outputs && activation == Activation && SpecHash.SingleBits(alpha) == SpecHash.SingleBits(Alpha);
}
