namespace SimdCheckpoint.Tests.Networks;

// Encoders written in PyTorch by tools/torch/make_bert_models.py (tests/models/bert), declared by their JSON specs.

/// <summary>Hidden 32, 4 heads, 2 layers, exact GELU, token types and a pooler.</summary>
[NetworkFile("bert_gelu.json")]
public partial class BertGelu;

/// <summary>Hidden 64, 4 heads, 2 layers, tanh GELU, no token types, no pooler.</summary>
[NetworkFile("bert_tanh.json")]
public partial class BertTanh;

// The same encoders as PyTorch's ONNX export wrote them, at three opsets each.

/// <summary>bert_gelu exported at opset 11 (the ReduceMean layer-norm pattern, Unsqueeze with an axes attribute).</summary>
[NetworkFile("bert_gelu.op11.onnx")]
public partial class BertGeluOp11;

/// <summary>bert_gelu exported at opset 13.</summary>
[NetworkFile("bert_gelu.op13.onnx")]
public partial class BertGeluOp13;

/// <summary>bert_gelu exported at opset 17 (LayerNormalization).</summary>
[NetworkFile("bert_gelu.op17.onnx")]
public partial class BertGeluOp17;

/// <summary>bert_tanh exported at opset 11.</summary>
[NetworkFile("bert_tanh.op11.onnx")]
public partial class BertTanhOp11;

/// <summary>bert_tanh exported at opset 13.</summary>
[NetworkFile("bert_tanh.op13.onnx")]
public partial class BertTanhOp13;

/// <summary>bert_tanh exported at opset 17.</summary>
[NetworkFile("bert_tanh.op17.onnx")]
public partial class BertTanhOp17;
