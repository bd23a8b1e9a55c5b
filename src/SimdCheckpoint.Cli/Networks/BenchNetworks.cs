using SimdCheckpoint;

namespace SimdCheckpoint.Cli.Networks;

/// <summary>The bench command's mnist model: 784-256-128-10, ReLU, linear read-out.</summary>
[Network]
[Dense(784, 256, Activation.Relu)]
[Dense(256, 128, Activation.Relu)]
[Dense(128, 10)]
internal sealed partial class Mnist;

/// <summary>The bench command's wide model: 1024-4096-4096-1024 (25 M parameters, 100 MB of weights).</summary>
[Network]
[Dense(1024, 4096, Activation.Relu)]
[Dense(4096, 4096, Activation.Relu)]
[Dense(4096, 1024)]
internal sealed partial class Wide;
