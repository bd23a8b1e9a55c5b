using SimdCheckpoint;

namespace SimdCheckpoint.Cli.Networks;

/// <summary>
/// The identity test's second network: 12 layers of uneven widths with every activation, a LeakyReLU of negative
/// slope (its derivative needs the pre-activation) and a softmax read-out, small enough to run on the scalar path too.
/// </summary>
[Network(Gradients = true)]
[Dense(48, 64, Activation.Gelu, Name = "gelu")]
[Dense(64, 80, Activation.Silu, Name = "silu")]
[Dense(80, 96, Activation.Tanh, Name = "tanh")]
[Dense(96, 64, Activation.Relu, Name = "relu")]
[Dense(64, 50, Activation.LeakyRelu, Alpha = -0.1f, Name = "flip")]
[Dense(50, 64, Activation.Sigmoid, Name = "sigmoid")]
[Dense(64, 72, Activation.GeluTanh, Name = "gelu_tanh")]
[Dense(72, 64, Activation.Relu, Name = "relu2")]
[Dense(64, 40, Activation.Silu, Name = "silu2")]
[Dense(40, 64, Activation.LeakyRelu, Alpha = 0.2f, Name = "leaky")]
[Dense(64, 32, Activation.Relu, Name = "relu3")]
[Dense(32, 10, Activation.Softmax, Name = "classes")]
internal sealed partial class Mixed12;
