using SimdCheckpoint;

namespace SimdCheckpoint.Tests.Networks;

[Network]
[Dense(784, 256, Activation.Relu, Name = "fc1")]
[Dense(256, 128, Activation.Relu, Name = "fc2")]
[Dense(128, 10, Name = "fc3")]
public partial class MnistMlp;

/// <summary>32 layers of width 256 (31 ReLU layers, then a linear read-out of 10).</summary>
[Network(Gradients = true)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 256, Activation.Relu)]
[Dense(256, 10)]
public partial class Deep32;

/// <summary>Uneven widths, every activation, and a layer shape used twice (one shared kernel).</summary>
[Network(Gradients = true)]
[Dense(37, 50, Activation.LeakyRelu, Alpha = 0.2f, Name = "in")]
[Dense(50, 19, Activation.Relu, Name = "squeeze")]
[Dense(19, 50, Activation.LeakyRelu, Alpha = 0.2f, Name = "expand")]
[Dense(50, 19, Activation.Relu, Name = "squeeze2")]
[Dense(19, 3, Name = "out")]
public partial class Uneven;

/// <summary>The same network as <see cref="MnistMlp"/>, declared in Specs/mnist.json.</summary>
[NetworkFile("mnist.json")]
public partial class MnistFromJson;

/// <summary>A single layer: no ping-pong buffers at all.</summary>
[Network(Gradients = true)]
[Dense(20, 7, Activation.Relu)]
public partial class SingleLayer;

/// <summary>A transformer-style MLP with every transcendental activation, ending in a softmax over 10 classes.</summary>
[Network(Gradients = true)]
[Dense(64, 128, Activation.Gelu, Name = "up")]
[Dense(128, 96, Activation.Silu, Name = "gate")]
[Dense(96, 80, Activation.Tanh, Name = "mix")]
[Dense(80, 48, Activation.GeluTanh, Name = "squeeze")]
[Dense(48, 33, Activation.Sigmoid, Name = "logistic")]
[Dense(33, 10, Activation.Softmax, Name = "classes")]
public partial class Transcendental;


/// <summary>13 narrow layers of uneven widths cycling through every activation, softmax last: checkpoint schedules over a chain whose states differ in size.</summary>
[Network(Gradients = true)]
[Dense(6, 9, Activation.Relu)]
[Dense(9, 12, Activation.Gelu)]
[Dense(12, 5, Activation.Tanh)]
[Dense(5, 17, Activation.Silu)]
[Dense(17, 8, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(8, 16, Activation.GeluTanh)]
[Dense(16, 3, Activation.Sigmoid)]
[Dense(3, 20, Activation.Identity)]
[Dense(20, 11, Activation.Relu)]
[Dense(11, 7, Activation.Gelu)]
[Dense(7, 9, Activation.Tanh)]
[Dense(9, 12, Activation.Silu)]
[Dense(12, 4, Activation.Softmax)]
public partial class Narrow13;

/// <summary>40 narrow layers of uneven widths cycling through every activation, softmax last: the deepest chain the checkpoint tests run.</summary>
[Network(Gradients = true)]
[Dense(6, 9, Activation.Relu)]
[Dense(9, 12, Activation.Gelu)]
[Dense(12, 5, Activation.Tanh)]
[Dense(5, 17, Activation.Silu)]
[Dense(17, 8, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(8, 16, Activation.GeluTanh)]
[Dense(16, 3, Activation.Sigmoid)]
[Dense(3, 20, Activation.Identity)]
[Dense(20, 11, Activation.Relu)]
[Dense(11, 7, Activation.Gelu)]
[Dense(7, 9, Activation.Tanh)]
[Dense(9, 12, Activation.Silu)]
[Dense(12, 5, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(5, 17, Activation.GeluTanh)]
[Dense(17, 8, Activation.Sigmoid)]
[Dense(8, 16, Activation.Identity)]
[Dense(16, 3, Activation.Relu)]
[Dense(3, 20, Activation.Gelu)]
[Dense(20, 11, Activation.Tanh)]
[Dense(11, 7, Activation.Silu)]
[Dense(7, 9, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(9, 12, Activation.GeluTanh)]
[Dense(12, 5, Activation.Sigmoid)]
[Dense(5, 17, Activation.Identity)]
[Dense(17, 8, Activation.Relu)]
[Dense(8, 16, Activation.Gelu)]
[Dense(16, 3, Activation.Tanh)]
[Dense(3, 20, Activation.Silu)]
[Dense(20, 11, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(11, 7, Activation.GeluTanh)]
[Dense(7, 9, Activation.Sigmoid)]
[Dense(9, 12, Activation.Identity)]
[Dense(12, 5, Activation.Relu)]
[Dense(5, 17, Activation.Gelu)]
[Dense(17, 8, Activation.Tanh)]
[Dense(8, 16, Activation.Silu)]
[Dense(16, 3, Activation.LeakyRelu, Alpha = 0.05f)]
[Dense(3, 20, Activation.GeluTanh)]
[Dense(20, 11, Activation.Sigmoid)]
[Dense(11, 4, Activation.Softmax)]
public partial class Narrow40;

/// <summary>The shape of tools/torch/make_backward_goldens.py's "transformer-mlp".</summary>
[Network(Gradients = true)]
[Dense(6, 16, Activation.Gelu)]
[Dense(16, 12, Activation.Silu)]
[Dense(12, 9, Activation.Tanh)]
[Dense(9, 5, Activation.GeluTanh)]
public partial class TorchTransformerMlp;

/// <summary>The shape of tools/torch/make_backward_goldens.py's "classifier".</summary>
[Network(Gradients = true)]
[Dense(8, 10, Activation.Relu)]
[Dense(10, 10, Activation.LeakyRelu, Alpha = 0.1f)]
[Dense(10, 7, Activation.Sigmoid)]
[Dense(7, 4, Activation.Softmax)]
public partial class TorchClassifier;

/// <summary>The shape of tools/torch/make_backward_goldens.py's "deep-narrow".</summary>
[Network(Gradients = true)]
[Dense(3, 5, Activation.Tanh)]
[Dense(5, 5, Activation.Gelu)]
[Dense(5, 5, Activation.Silu)]
[Dense(5, 5, Activation.Relu)]
[Dense(5, 5)]
[Dense(5, 5, Activation.Sigmoid)]
[Dense(5, 5, Activation.GeluTanh)]
[Dense(5, 2)]
public partial class TorchDeepNarrow;

/// <summary>LeakyReLU with a negative slope (its derivative needs z, which the output does not reveal) and a positive one.</summary>
[Network(Gradients = true)]
[Dense(9, 6, Activation.LeakyRelu, Alpha = -0.25f, Name = "flip")]
[Dense(6, 5, Activation.LeakyRelu, Alpha = 0.5f, Name = "leak")]
public partial class NegativeSlope;

/// <summary>
/// For the split by panels: 7 panels (6 of 16 and a 4-column tail: a Vector512 tile of 2 panels leaves one over), a
/// one-panel layer in the middle (more threads than panels), a layer of exactly 2 panels, and a softmax last.
/// </summary>
[Network]
[Dense(40, 100, Activation.Gelu, Name = "seven")]
[Dense(100, 12, Activation.Relu, Name = "one")]
[Dense(12, 32, Activation.LeakyRelu, Alpha = 0.1f, Name = "two")]
[Dense(32, 5, Activation.Softmax, Name = "classes")]
public partial class PanelMix;

/// <summary>
/// For the split by panels over a K-blocked sweep: 2055 inputs (above the K-blocking threshold of 2048; the last K block
/// is 7 steps) into 83 outputs (5 panels of 16 and a 3-column tail), so panel ranges start on either panel of a
/// Vector512 pair, are shorter than a pair, and end in the tail.
/// </summary>
[Network]
[Dense(2055, 83, Activation.Gelu, Name = "long")]
public partial class LongKPanels;
