using SimdCheckpoint;

namespace SimdCheckpoint.Cli.Tests.Models;

/// <summary>
/// Specs/cli-tiny.json compiled at build time: the reference the CLI's run-time compiled kernels are compared with.
/// Odd widths (17, 9, 5) give every path partial panels and tails; GELU and SiLU give the backward pass its
/// pre-activation gradient kernels; tanh reads the output.
/// </summary>
[NetworkFile("cli-tiny.json", Gradients = true)]
public sealed partial class CliTiny;
