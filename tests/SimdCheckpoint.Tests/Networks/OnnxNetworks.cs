namespace SimdCheckpoint.Tests.Networks;

// Networks compiled from the ONNX models PyTorch exported (tests/models/onnx, made by tools/onnx/make_onnx_models.py).

/// <summary>Gemm → Relu → Gemm (opset 9).</summary>
[NetworkFile("mlp_relu.onnx")]
public partial class TorchMlpRelu;

/// <summary>Gemm → GELU pattern (Div→Erf→Add→Mul→Mul) → Gemm → Tanh → Gemm → Softmax (opset 13).</summary>
[NetworkFile("mlp_gelu_tanh_softmax.onnx")]
public partial class TorchMlpGeluTanhSoftmax;

/// <summary>Gemm → SiLU pattern (Sigmoid→Mul) → Gemm → LeakyRelu(0.2) → Gemm → Sigmoid (opset 17).</summary>
[NetworkFile("mlp_silu_leaky_sigmoid.onnx")]
public partial class TorchMlpSiluLeakySigmoid;

/// <summary>Flatten of a [batch, 1, 4, 5] input → Gemm → Relu → Gemm (opset 11).</summary>
[NetworkFile("mlp_flatten_dropout.onnx")]
public partial class TorchMlpFlatten;

/// <summary>MatMul + Add → Relu → MatMul without a bias (opset 14).</summary>
[NetworkFile("matmul_add.onnx")]
public partial class TorchMatMulAdd;

/// <summary>The shape of the hand-written models in OnnxReaderTests: 6 → 5 ReLU → 3 identity.</summary>
[Network]
[Dense(6, 5, Activation.Relu)]
[Dense(5, 3)]
public partial class SmallOnnxShape;
