using System;
using System.Linq;
using SimdCheckpoint.Tests.Networks;
using Xunit;

namespace SimdCheckpoint.Tests.Spec;

/// <summary>The spec rules at run time: the same IDs the generator reports, as exceptions that list every problem.</summary>
public sealed class NetworkSpecTests
{
    [Fact]
    public void A_generated_network_exposes_its_spec()
    {
        NetworkSpec spec = MnistMlp.Spec;
        Assert.Equal("784 -> 256 -> 128 -> 10", spec.Shape);
        Assert.Equal(256, spec.MaxHiddenSize);
        Assert.Equal((784 * 256) + 256 + (256 * 128) + 128 + (128 * 10) + 10, spec.ParameterCount);
        Assert.Equal(2L * ((784 * 256) + (256 * 128) + (128 * 10)), spec.FlopsPerSample);
        Assert.Equal(["fc1", "fc2", "fc3"], spec.Layers.Select(l => l.Name));
        Assert.Equal(0, SingleLayer.Spec.MaxHiddenSize);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_id()
    {
        var e = Assert.Throws<NetworkSpecException>(() => new NetworkSpec("bad",
        [
            new DenseLayerSpec("a", 0, 4, Activation.Relu),
            new DenseLayerSpec("a", 5, 4, Activation.Relu, alpha: 0.5f),
            new DenseLayerSpec("c", 3, 2, (Activation)42),
            new DenseLayerSpec("d e", 2, 2, Activation.LeakyRelu, alpha: float.NaN),
        ]));
        string[] ids = e.Problems.Select(p => p.Id).ToArray();
        Assert.Contains("SCK0003", ids);
        Assert.Contains("SCK0010", ids);
        Assert.Contains("SCK0009", ids);
        Assert.Contains("SCK0004", ids);
        Assert.Contains("SCK0005", ids);
        Assert.Equal(2, e.Problems.Count(p => p.Id == "SCK0009"));
        Assert.Equal(2, e.Problems.Count(p => p.Id == "SCK0005"));
        SpecProblem mismatch = e.Problems.Single(p => p.Id == "SCK0005" && p.LayerIndex == 2);
        Assert.Equal(SpecField.Inputs, mismatch.Field);
        Assert.Contains("layer 2 ('c') takes 3 inputs", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal("bad", e.NetworkName);
    }

    [Fact]
    public void An_empty_network_is_rejected()
    {
        var e = Assert.Throws<NetworkSpecException>(() => new NetworkSpec("empty", []));
        Assert.Equal("SCK0002", Assert.Single(e.Problems).Id);
    }

    [Fact]
    public void Leaky_relu_defaults_to_pytorchs_slope()
    {
        Assert.Equal(0.01f, new DenseLayerSpec("x", 1, 1, Activation.LeakyRelu).Alpha);
        Assert.Equal(0f, new DenseLayerSpec("x", 1, 1, Activation.Relu).Alpha);
        Assert.Equal(0.2f, new DenseLayerSpec("x", 1, 1, Activation.LeakyRelu, 0.2f).Alpha);
    }

    [Fact]
    public void Json_round_trips_to_an_equal_spec()
    {
        NetworkSpec again = NetworkSpec.FromJson(Uneven.Spec.ToJson(), "uneven.json");
        Assert.Equal(Uneven.Spec, again);
        Assert.Equal(Uneven.Spec.GetHashCode(), again.GetHashCode());
    }

    [Theory]
    [InlineData("sigmoid", Activation.Sigmoid)]
    [InlineData("Logistic", Activation.Sigmoid)]
    [InlineData("tanh", Activation.Tanh)]
    [InlineData("GELU", Activation.Gelu)]
    [InlineData("gelu_tanh", Activation.GeluTanh)]
    [InlineData("gelu-tanh", Activation.GeluTanh)]
    [InlineData("silu", Activation.Silu)]
    [InlineData("swish", Activation.Silu)]
    [InlineData("softmax", Activation.Softmax)]
    public void Json_accepts_every_activation_and_writes_its_canonical_name(string name, Activation expected)
    {
        NetworkSpec spec = NetworkSpec.FromJson($$"""{"layers":[{"inputs":3,"outputs":4,"activation":"{{name}}"}]}""", "a.json");
        Assert.Equal(expected, spec.Layers[0].Activation);
        NetworkSpec again = NetworkSpec.FromJson(spec.ToJson(), "a.json");
        Assert.Equal(spec, again);
        Assert.Contains(ActivationInfo.NameOf(expected), spec.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_layers_take_their_inputs_from_the_previous_layer()
    {
        NetworkSpec spec = NetworkSpec.FromJson("""{"layers":[{"inputs":3,"outputs":4,"activation":"ReLU"},{"outputs":2,"activation":"leaky-relu","alpha":0.5}]}""", "x.json");
        Assert.Equal("x", spec.Name);
        Assert.Equal(4, spec.Layers[1].Inputs);
        Assert.Equal(Activation.Relu, spec.Layers[0].Activation);
        Assert.Equal(0.5f, spec.Layers[1].Alpha);
        Assert.Equal("dense1", spec.Layers[1].Name);
    }

    [Theory]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3, \"outputs\": 4, \"activation\": \"mish\"}\n]}", "SCK0004", 2, 45)]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3, \"outputs\": 4},\n  {\"inputs\": 5, \"outputs\": 1}\n]}", "SCK0005", 3, 14)]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3, \"outputs\": 0}\n]}", "SCK0003", 2, 28)]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3, \"outptus\": 4}\n]}", "SCK0008", 2, 17)]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3.5, \"outputs\": 4}\n]}", "SCK0008", 2, 14)]
    [InlineData("{\"layers\": [\n  {\"outputs\": 4}\n]}", "SCK0008", 2, 3)]
    [InlineData("{\"layers\": []}", "SCK0002", 1, 12)]
    [InlineData("{\"layers\": [\n  {\"inputs\": 3, \"outputs\": 4,}\n]}", "SCK0007", 2, 30)]
    [InlineData("", "SCK0007", 1, 1)]
    [InlineData("[1]", "SCK0008", 1, 1)]
    public void Json_problems_give_their_id_line_and_column(string json, string id, int line, int column)
    {
        var e = Assert.Throws<NetworkSpecException>(() => NetworkSpec.FromJson(json, "spec.json"));
        SpecProblem p = e.Problems[0];
        Assert.Equal(id, p.Id);
        Assert.StartsWith($"spec.json({line},{column}): ", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_json_is_refused_without_exhausting_the_stack()
    {
        var e = Assert.Throws<NetworkSpecException>(() => NetworkSpec.FromJson(new string('[', 100_000), "deep.json"));
        Assert.Equal("SCK0007", e.Problems[0].Id);
    }
}
