using SimdCheckpoint;

namespace SimdCheckpoint.Cli.Networks;

/// <summary>784-256-128-10: the classic MNIST MLP; panels only, and a 10-column tail.</summary>
[Network]
[Dense(784, 256, Activation.Relu)]
[Dense(256, 128, Activation.Relu)]
[Dense(128, 10)]
internal sealed partial class SelfCheckMnist;

/// <summary>Uneven widths: tails of 2, 3 and 3 columns, K not a multiple of the unroll, LeakyReLU.</summary>
[Network]
[Dense(37, 50, Activation.LeakyRelu, Alpha = 0.2f)]
[Dense(50, 19, Activation.Relu)]
[Dense(19, 3)]
internal sealed partial class SelfCheckUneven;

/// <summary>Wide then narrow: 18 panels and a 12-column tail, then a single output.</summary>
[Network]
[Dense(5, 300, Activation.Relu)]
[Dense(300, 33, Activation.LeakyRelu)]
[Dense(33, 1)]
internal sealed partial class SelfCheckWide;

/// <summary>Every transcendental activation fused into a kernel epilogue, and a softmax over a 17-class row (one tail column past a panel).</summary>
[Network]
[Dense(29, 40, Activation.Gelu)]
[Dense(40, 35, Activation.GeluTanh)]
[Dense(35, 21, Activation.Silu)]
[Dense(21, 18, Activation.Tanh)]
[Dense(18, 33, Activation.Sigmoid)]
[Dense(33, 17, Activation.Softmax)]
internal sealed partial class SelfCheckTranscendental;

/// <summary>
/// A BERT-style encoder for the selfcheck: head size 16 (a whole Vector512 of context columns, two Vector256, four
/// Vector128), hidden 48 (a 16-partial layer norm of three full chunks), FFN 80, exact GELU, token types and a pooler.
/// </summary>
[NetworkFile("selfcheck-encoder.json")]
internal sealed partial class SelfCheckEncoder;

