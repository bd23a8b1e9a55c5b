using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// Layers with the same K, N, activation and alpha run one kernel; any difference gets a kernel of its own. The
/// backward kernels join the same pool: dX of a K → N layer is the identity kernel of shape N → K, and a layer whose
/// derivative reads the pre-activation recomputes z with the identity kernel of its own shape.
/// </summary>
public sealed class KernelSharingTests
{
    [Fact]
    public void Layers_of_one_shape_share_one_kernel_struct()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.Relu, Name = "a")]
            [Dense(8, 8, Activation.Relu, Name = "b")]
            [Dense(8, 8, Activation.Relu, Name = "c")]
            [Dense(8, 8, Name = "linear")]
            """);

        // The identity 8x8 kernel is layer 3's forward and every layer's dX (on Wᵀ).
        Assert.Equal(["Dense8x8Relu", "Dense8x8"], KernelStructs(tree));
        Assert.Equal(["Dense8x8Relu", "Dense8x8Relu", "Dense8x8Relu", "Dense8x8"], Table(tree, "LayerKernel"));
        Assert.Equal(["Dense8x8", "Dense8x8", "Dense8x8", "Dense8x8"], Table(tree, "TransposedKernel"));
        Assert.Contains("/// For layer 0, layer 1, layer 2. Packed:", tree.ToString(), System.StringComparison.Ordinal);
        Assert.Contains("/// For layer 3, dX of layer 0, dX of layer 1, dX of layer 2, dX of layer 3. Packed:", tree.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Different_alphas_get_different_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.2f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2", "Dense8x8"], KernelStructs(tree));
        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2", "Dense8x8LeakyRelu"], Table(tree, "LayerKernel"));
    }

    [Fact]
    public void Default_alpha_and_the_same_alpha_written_out_share_a_kernel()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.01f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8"], KernelStructs(tree));
    }

    [Fact]
    public void Negative_zero_alpha_is_not_positive_zero()
    {
        // Kernels are keyed on the alpha's bits: -0 and +0 multiply to different zeros. A slope of ±0 hides z's
        // sign in the output, so each layer's gradient recomputes z, with the identity kernel of its shape.
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = -0f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2", "Dense8x8"], KernelStructs(tree));
        Assert.Equal(["Dense8x8", "Dense8x8"], Table(tree, "PreActivationKernel"));
    }

    [Fact]
    public void Different_shapes_or_activations_get_different_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.Relu)]
            [Dense(8, 8)]
            [Dense(8, 16, Activation.Relu)]
            [Dense(16, 8, Activation.Relu)]
            """);

        Assert.Equal(["Dense8x8Relu", "Dense8x8", "Dense8x16Relu", "Dense16x8Relu", "Dense16x8", "Dense8x16"], KernelStructs(tree));
        Assert.Equal(["Dense8x8", "Dense8x8", "Dense16x8", "Dense8x16"], Table(tree, "TransposedKernel"));
    }

    [Fact]
    public void Layers_whose_derivative_reads_the_pre_activation_recompute_z_with_the_identity_kernel_of_their_shape()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 16, Activation.Gelu)]
            [Dense(16, 16, Activation.Silu)]
            [Dense(16, 16, Activation.Silu)]
            [Dense(16, 4, Activation.Tanh)]
            """);

        // z of the 16x16 SiLU layers is the same identity kernel as dX of those layers; tanh reads its output.
        Assert.Equal(["Dense8x16Gelu", "Dense16x16Silu", "Dense16x4Tanh", "Dense16x8", "Dense8x16", "Dense16x16", "Dense4x16"], KernelStructs(tree));
        Assert.Equal(["Dense8x16", "Dense16x16", "Dense16x16", "-"], Table(tree, "PreActivationKernel"));
        Assert.Contains("//   layer 1   dX by kernel Dense16x16, transposed at ", tree.ToString(), System.StringComparison.Ordinal);
        Assert.Contains("; z by kernel Dense16x16", tree.ToString(), System.StringComparison.Ordinal);
        Assert.Contains("//   layer 3   dX by kernel Dense4x16, transposed at ", tree.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_without_pre_activation_derivatives_has_no_pre_activation_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 16, Activation.Relu)]
            [Dense(16, 4, Activation.Softmax)]
            """);

        Assert.Equal(["-", "-"], Table(tree, "PreActivationKernel"));
        Assert.Equal(["Dense8x16Relu", "Dense16x4Softmax", "Dense16x8", "Dense4x16"], KernelStructs(tree));
        Assert.Contains("throw global::SimdCheckpoint.Kernels.KernelChecks.NoPreActivation(\"Net\", layer);", tree.ToString(), System.StringComparison.Ordinal);
    }

    private static SyntaxTree Generate(string layers)
    {
        GeneratorRun run = GeneratorHarness.Run("using SimdCheckpoint;\nnamespace N;\n[Network(Gradients = true)]\n" + layers + "\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        return Assert.Single(run.Sources).SyntaxTree;
    }

    private static ClassDeclarationSyntax KernelsClass(SyntaxTree tree) =>
        tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes()
            .OfType<ClassDeclarationSyntax>()
            .Single(c => c.Identifier.ValueText == "Kernels");

    /// <summary>The kernel structs (a layer shape's constants) nested in the generated <c>Kernels</c> class, in order: kernel i is struct i.</summary>
    private static string[] KernelStructs(SyntaxTree tree) =>
        KernelsClass(tree).Members.OfType<StructDeclarationSyntax>().Select(c => c.Identifier.ValueText).ToArray();

    /// <summary>A layer → kernel table of the dispatch (<c>LayerKernel</c>, ...), as kernel struct names; "-" where a layer has none.</summary>
    private static string[] Table(SyntaxTree tree, string table)
    {
        string[] kernels = KernelStructs(tree);
        VariableDeclaratorSyntax field = KernelsClass(tree).Members.OfType<FieldDeclarationSyntax>()
            .SelectMany(f => f.Declaration.Variables)
            .Single(v => v.Identifier.ValueText == table);
        return ((InitializerExpressionSyntax)field.Initializer!.Value).Expressions
            .Select(e => int.Parse(e.ToString(), System.Globalization.CultureInfo.InvariantCulture))
            .Select(i => i < 0 ? "-" : kernels[i])
            .ToArray();
    }
}
