using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>Layers with the same K, N, activation and alpha run one kernel; any difference gets a kernel of its own.</summary>
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

        Assert.Equal(["Dense8x8Relu", "Dense8x8"], KernelClasses(tree));
        Assert.Equal(3, ForwardCalls(tree, "ForwardScalar", "Dense8x8Relu.RunScalar"));
        Assert.Equal(3, ForwardCalls(tree, "ForwardVector256", "Dense8x8Relu.RunVector256"));
        Assert.Contains("//   Layers: 0 'a', 1 'b', 2 'c'.", tree.ToString(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Different_alphas_get_different_kernels()
    {
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.2f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0.1f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2"], KernelClasses(tree));
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

        Assert.Equal(["Dense8x8LeakyRelu"], KernelClasses(tree));
    }

    [Fact]
    public void Negative_zero_alpha_is_not_positive_zero()
    {
        // Kernels are keyed on the alpha's bits: -0 and +0 multiply to different zeros.
        SyntaxTree tree = Generate("""
            [Dense(8, 8, Activation.LeakyRelu, Alpha = 0f)]
            [Dense(8, 8, Activation.LeakyRelu, Alpha = -0f)]
            """);

        Assert.Equal(["Dense8x8LeakyRelu", "Dense8x8LeakyRelu_2"], KernelClasses(tree));
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

        Assert.Equal(["Dense8x8Relu", "Dense8x8", "Dense8x16Relu", "Dense16x8Relu"], KernelClasses(tree));
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

    /// <summary>How many times the forward method <paramref name="forward"/> calls <paramref name="callee"/>.</summary>
    private static int ForwardCalls(SyntaxTree tree, string forward, string callee) =>
        tree.GetRoot(TestContext.Current.CancellationToken).DescendantNodes()
            .OfType<MethodDeclarationSyntax>()
            .Single(m => m.Identifier.ValueText == forward)
            .DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Count(i => i.Expression.ToString() == callee);
}
