namespace SimdCheckpoint.Tests.Networks;

// Encoders written in PyTorch by tools/torch/make_bert_models.py (tests/models/bert), declared by their JSON specs.

/// <summary>Hidden 32, 4 heads, 2 layers, exact GELU, token types and a pooler.</summary>
[NetworkFile("bert_gelu.json")]
public partial class BertGelu;

/// <summary>Hidden 64, 4 heads, 2 layers, tanh GELU, no token types, no pooler.</summary>
[NetworkFile("bert_tanh.json")]
public partial class BertTanh;
