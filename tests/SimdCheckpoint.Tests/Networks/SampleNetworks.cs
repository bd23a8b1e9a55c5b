using SimdCheckpoint;

namespace SimdCheckpoint.Tests.Networks;

[Network]
[Dense(784, 256, Activation.Relu, Name = "fc1")]
[Dense(256, 128, Activation.Relu, Name = "fc2")]
[Dense(128, 10, Name = "fc3")]
public partial class MnistMlp;

/// <summary>32 layers of width 256 (31 ReLU layers, then a linear read-out of 10).</summary>
[Network]
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
[Network]
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
[Network]
[Dense(20, 7, Activation.Relu)]
public partial class SingleLayer;

/// <summary>A transformer-style MLP with every transcendental activation, ending in a softmax over 10 classes.</summary>
[Network]
[Dense(64, 128, Activation.Gelu, Name = "up")]
[Dense(128, 96, Activation.Silu, Name = "gate")]
[Dense(96, 80, Activation.Tanh, Name = "mix")]
[Dense(80, 48, Activation.GeluTanh, Name = "squeeze")]
[Dense(48, 33, Activation.Sigmoid, Name = "logistic")]
[Dense(33, 10, Activation.Softmax, Name = "classes")]
public partial class Transcendental;
