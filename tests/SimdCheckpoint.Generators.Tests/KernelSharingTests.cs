using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// Layers with the same K, N, activation and alpha run one kernel; any difference gets a kernel of its own. The
/// backward kernels join the same pool: dX of a K → N layer is the identity kernel of shape N → K, and a layer whose
/// derivative reads the pre-activation gets a gradient kernel of its own shape.
/// </summary>
public sealed class KernelSharingTests
{
    [Fact]
    public void Layers_of_one_shape_share_one_kernel_class()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.Relu, Name = "a")]
            [Dense(8, 8, Activation.Relu, Name = "b")]
            [Dense(8, 8, Activation.Relu, Name = "c")]
            [Dense(8, 8, Name = "linear")]
            """);

        // The identity 8x8 kernel is layer 3's forward and every layer's dX (on Wᵀ).
        Assert.Equal(["Dense8x8Relu", "Dense8x8"], KernelClasses(tree));
        Assert.Equal(3, ForwardCalls(tree, "ForwardScalar", "Dense8x8Relu.RunScalar"));
        Assert.Equal(3, ForwardCalls(tree, "ForwardVector256", "Dense8x8Relu.RunVector256"));
        Assert.Equal(4, ForwardCalls(tree, "BackwardInput", "Dense8x8.RunVector256"));
        Assert.Contains("//   Used by: forward of 0 'a'; forward of 1 'b'; forward of 2 'c'.", tree.ToString(), System.StringComparison.Ordinal);
        Assert.Contains(
            "//   Used by: forward of 3 'linear'; dX of 0 'a' (on its Wᵀ, zero bias); dX of 1 'b' (on its Wᵀ, zero bias); dX of 2 'c' (on its Wᵀ, zero bias); dX of 3 'linear' (on its Wᵀ, zero bias).",
            tree.ToString(),
            System.StringComparison.Ordinal);
    }

    [Fact]
    public void Different_alphas_get_different_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.2f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2", "Dense8x8"], KernelClasses(tree));
        Assert.Equal(2, ForwardCalls(tree, "ForwardScalar", "Dense8x8LeakyRelu.RunScalar"));
        Assert.Equal(1, ForwardCalls(tree, "ForwardScalar", "Dense8x8LeakyRelu_2.RunScalar"));
    }

    [Fact]
    public void Default_alpha_and_the_same_alpha_written_out_share_a_kernel()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.01f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8"], KernelClasses(tree));
    }

    [Fact]
    public void Negative_zero_alpha_is_not_positive_zero()
    {
        // Kernels are keyed on the alpha's bits: -0 and +0 multiply to different zeros. A slope of ±0 hides z's
        // sign in the output, so each also gets a gradient kernel.
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = -0f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2", "Dense8x8", "Dense8x8LeakyReluGradient", "Dense8x8LeakyReluGradient_2"], KernelClasses(tree));
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

        Assert.Equal(["Dense8x8Relu", "Dense8x8", "Dense8x16Relu", "Dense16x8Relu", "Dense16x8", "Dense8x16"], KernelClasses(tree));
    }

    [Fact]
    public void Layers_whose_derivative_reads_the_pre_activation_get_gradient_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 16, Activation.Gelu)]
            [Dense(16, 16, Activation.Silu)]
            [Dense(16, 16, Activation.Silu)]
            [Dense(16, 4, Activation.Tanh)]
            """);

        Assert.Equal(["Dense8x16Gelu", "Dense16x16Silu", "Dense16x4Tanh", "Dense16x8", "Dense8x16GeluGradient", "Dense16x16", "Dense16x16SiluGradient", "Dense4x16"], KernelClasses(tree));
        Assert.Equal(1, ForwardCalls(tree, "ActivationGradient", "Dense8x16GeluGradient.RunVector512"));
        Assert.Equal(2, ForwardCalls(tree, "ActivationGradient", "Dense16x16SiluGradient.RunScalar"));
        Assert.Contains("dZ = dY ⊙ silu′(acc)", tree.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_without_pre_activation_derivatives_has_no_gradient_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 16, Activation.Relu)]
            [Dense(16, 4, Activation.Softmax)]
            """);

        Assert.DoesNotContain(KernelClasses(tree), name => name.EndsWith("Gradient", System.StringComparison.Ordinal));
        Assert.Contains("// No layer of this network has a derivative that reads its pre-activation.", tree.ToString(), System.StringComparison.Ordinal);
    }

    private static SyntaxTree Generate(string layers)
    {
        GeneratorRun run = GeneratorHarness.Run("using SimdCheckpoint;\nnamespace N;\n[Network]\n" + layers + "\npublic partial class Net;");
        Assert.Empty(run.Diagnostics);
        return Assert.Single(run.Sources).SyntaxTree;
    }

    /// <summary>The kernel classes nested in the generated <c>Kernels</c> class, in order.</summary>
    private static string[] KernelClasses(SyntaxTree tree) =>
        tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes()
            .OfType<ClassDeclarationSyntax>()
            .Single(c => c.Identifier.ValueText == "Kernels")
            .Members.OfType<ClassDeclarationSyntax>()
            .Select(c => c.Identifier.ValueText)
            .ToArray();

    /// <summary>How many times the method <paramref name="forward"/> calls <paramref name="callee"/>.</summary>
    private static int ForwardCalls(SyntaxTree tree, string forward, string callee) =>
        tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes()
            .OfType<MethodDeclarationSyntax>()
            .Where(m => m.Identifier.ValueText == forward)
            .SelectMany(m => m.DescendantNodes().OfType<InvocationExpressionSyntax>())
            .Count(i => i.Expression.ToString() == callee);
}
