using SimdCheckpoint;

namespace SimdCheckpoint.Tests.Networks;

/// <summary><see cref="Uneven"/>'s layers declared as a graph of named tensors (Specs/uneven-graph.json).</summary>
[NetworkFile("uneven-graph.json")]
public partial class UnevenGraph;

/// <summary>A trunk and two heads: a graph of two outputs (Specs/two-heads.json).</summary>
[NetworkFile("two-heads.json")]
public partial class TwoHeads;
