namespace SimdCheckpoint.Cli.Tests.Models;

// The PyTorch-exported models of tests/models/onnx, compiled at build time: what the CLI's run-time kernels must match.

[NetworkFile("mlp_relu.onnx")]
public partial class TorchMlpRelu;

[NetworkFile("mlp_gelu_tanh_softmax.onnx")]
public partial class TorchMlpGeluTanhSoftmax;

[NetworkFile("mlp_silu_leaky_sigmoid.onnx", Gradients = true)]
public partial class TorchMlpSiluLeakySigmoid;

[NetworkFile("mlp_flatten_dropout.onnx")]
public partial class TorchMlpFlatten;

[NetworkFile("matmul_add.onnx")]
public partial class TorchMatMulAdd;

/// <summary>A BERT-style encoder (tests/models/bert), exported at opset 13.</summary>
[NetworkFile("bert_gelu.op13.onnx")]
public partial class BertGeluOp13;
