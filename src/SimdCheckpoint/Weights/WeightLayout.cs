namespace SimdCheckpoint;

/// <summary>How a dense layer's weight matrix is laid out in the source it is loaded from (row-major either way).</summary>
public enum WeightLayout
{
    /// <summary>[K, N]: one row per input, as in <c>y = x·W</c> (Keras, ONNX MatMul, ONNX Gemm with transB = 0).</summary>
    InputsByOutputs,

    /// <summary>[N, K]: one row per output, as PyTorch's <c>nn.Linear.weight</c> and ONNX Gemm with transB = 1.</summary>
    OutputsByInputs,
}
