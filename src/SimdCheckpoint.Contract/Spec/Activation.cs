namespace SimdCheckpoint;

/// <summary>
/// The element-wise function a dense layer applies to its accumulator, fused into the layer's kernel.
/// Each one is a fixed sequence of binary32 operations, identical on every instruction set.
/// </summary>
public enum Activation
{
    /// <summary><c>y = x</c>.</summary>
    Identity = 0,

    /// <summary><c>y = x &lt; 0 ? +0 : x</c>. NaN stays NaN and -0 stays -0.</summary>
    Relu = 1,

    /// <summary><c>y = x &lt; 0 ? alpha·x : x</c> (one binary32 multiply). NaN stays NaN.</summary>
    LeakyRelu = 2,

    /// <summary>The logistic function <c>1 / (1 + e^-x)</c> (canonical: at most 2.40 ulp over all inputs).</summary>
    Sigmoid = 3,

    /// <summary>The hyperbolic tangent (canonical: at most 1.33 ulp over all inputs).</summary>
    Tanh = 4,

    /// <summary>GELU in its exact form, <c>x·Φ(x) = 0.5·x·(1 + erf(x/√2))</c>, as ONNX exporters emit it.</summary>
    Gelu = 5,

    /// <summary>GELU's tanh approximation, <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c> (PyTorch's approximate='tanh').</summary>
    GeluTanh = 6,

    /// <summary>SiLU (swish), <c>x·sigmoid(x)</c>.</summary>
    Silu = 7,

    /// <summary>
    /// Softmax over the layer's outputs (the last axis), applied to each row after the whole row is computed: the
    /// maximum is subtracted and the sum is formed in one fixed order (16 partial sums, then pairwise).
    /// </summary>
    Softmax = 8,
}
