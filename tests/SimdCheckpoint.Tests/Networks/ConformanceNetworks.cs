// The conformance grid: one single-layer network per (K, N), so every generated kernel shape is exercised.
// K: 1, below / at / above the K unroll (4), two unrolls, two plus one, large and odd.
// K above 2048 runs the full row blocks in K blocks of 256: 2049 (a last block of one step), 2055 (a last block of 7:
// one unroll and three steps) and 2304 (blocks that end exactly at K).
// N: 1, 2, NR-1, NR, NR+1, 2*NR+3, 5 panels (leftover after 4- and 2-panel row tiles), large (18 panels + tail 12).
// Activations rotate over the grid (all nine, softmax included) so every one meets K and N edges and every batch.
using SimdCheckpoint;

namespace SimdCheckpoint.Tests.Networks;

[Network(Gradients = true)]
[Dense(1, 1, Activation.Relu)]
public partial class Conformance_K1_N1;

[Network(Gradients = true)]
[Dense(1, 2, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K1_N2;

[Network(Gradients = true)]
[Dense(1, 15, Activation.Identity)]
public partial class Conformance_K1_N15;

[Network(Gradients = true)]
[Dense(1, 16, Activation.Sigmoid)]
public partial class Conformance_K1_N16;

[Network(Gradients = true)]
[Dense(1, 17, Activation.Tanh)]
public partial class Conformance_K1_N17;

[Network(Gradients = true)]
[Dense(1, 35, Activation.Gelu)]
public partial class Conformance_K1_N35;

[Network(Gradients = true)]
[Dense(1, 80, Activation.GeluTanh)]
public partial class Conformance_K1_N80;

[Network(Gradients = true)]
[Dense(1, 300, Activation.Silu)]
public partial class Conformance_K1_N300;

[Network(Gradients = true)]
[Dense(3, 1, Activation.Softmax)]
public partial class Conformance_K3_N1;

[Network(Gradients = true)]
[Dense(3, 2, Activation.Relu)]
public partial class Conformance_K3_N2;

[Network(Gradients = true)]
[Dense(3, 15, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K3_N15;

[Network(Gradients = true)]
[Dense(3, 16, Activation.Identity)]
public partial class Conformance_K3_N16;

[Network(Gradients = true)]
[Dense(3, 17, Activation.Sigmoid)]
public partial class Conformance_K3_N17;

[Network(Gradients = true)]
[Dense(3, 35, Activation.Tanh)]
public partial class Conformance_K3_N35;

[Network(Gradients = true)]
[Dense(3, 80, Activation.Gelu)]
public partial class Conformance_K3_N80;

[Network(Gradients = true)]
[Dense(3, 300, Activation.GeluTanh)]
public partial class Conformance_K3_N300;

[Network(Gradients = true)]
[Dense(4, 1, Activation.Silu)]
public partial class Conformance_K4_N1;

[Network(Gradients = true)]
[Dense(4, 2, Activation.Softmax)]
public partial class Conformance_K4_N2;

[Network(Gradients = true)]
[Dense(4, 15, Activation.Relu)]
public partial class Conformance_K4_N15;

[Network(Gradients = true)]
[Dense(4, 16, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K4_N16;

[Network(Gradients = true)]
[Dense(4, 17, Activation.Identity)]
public partial class Conformance_K4_N17;

[Network(Gradients = true)]
[Dense(4, 35, Activation.Sigmoid)]
public partial class Conformance_K4_N35;

[Network(Gradients = true)]
[Dense(4, 80, Activation.Tanh)]
public partial class Conformance_K4_N80;

[Network(Gradients = true)]
[Dense(4, 300, Activation.Gelu)]
public partial class Conformance_K4_N300;

[Network(Gradients = true)]
[Dense(5, 1, Activation.GeluTanh)]
public partial class Conformance_K5_N1;

[Network(Gradients = true)]
[Dense(5, 2, Activation.Silu)]
public partial class Conformance_K5_N2;

[Network(Gradients = true)]
[Dense(5, 15, Activation.Softmax)]
public partial class Conformance_K5_N15;

[Network(Gradients = true)]
[Dense(5, 16, Activation.Relu)]
public partial class Conformance_K5_N16;

[Network(Gradients = true)]
[Dense(5, 17, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K5_N17;

[Network(Gradients = true)]
[Dense(5, 35, Activation.Identity)]
public partial class Conformance_K5_N35;

[Network(Gradients = true)]
[Dense(5, 80, Activation.Sigmoid)]
public partial class Conformance_K5_N80;

[Network(Gradients = true)]
[Dense(5, 300, Activation.Tanh)]
public partial class Conformance_K5_N300;

[Network(Gradients = true)]
[Dense(8, 1, Activation.Gelu)]
public partial class Conformance_K8_N1;

[Network(Gradients = true)]
[Dense(8, 2, Activation.GeluTanh)]
public partial class Conformance_K8_N2;

[Network(Gradients = true)]
[Dense(8, 15, Activation.Silu)]
public partial class Conformance_K8_N15;

[Network(Gradients = true)]
[Dense(8, 16, Activation.Softmax)]
public partial class Conformance_K8_N16;

[Network(Gradients = true)]
[Dense(8, 17, Activation.Relu)]
public partial class Conformance_K8_N17;

[Network(Gradients = true)]
[Dense(8, 35, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K8_N35;

[Network(Gradients = true)]
[Dense(8, 80, Activation.Identity)]
public partial class Conformance_K8_N80;

[Network(Gradients = true)]
[Dense(8, 300, Activation.Sigmoid)]
public partial class Conformance_K8_N300;

[Network(Gradients = true)]
[Dense(9, 1, Activation.Tanh)]
public partial class Conformance_K9_N1;

[Network(Gradients = true)]
[Dense(9, 2, Activation.Gelu)]
public partial class Conformance_K9_N2;

[Network(Gradients = true)]
[Dense(9, 15, Activation.GeluTanh)]
public partial class Conformance_K9_N15;

[Network(Gradients = true)]
[Dense(9, 16, Activation.Silu)]
public partial class Conformance_K9_N16;

[Network(Gradients = true)]
[Dense(9, 17, Activation.Softmax)]
public partial class Conformance_K9_N17;

[Network(Gradients = true)]
[Dense(9, 35, Activation.Relu)]
public partial class Conformance_K9_N35;

[Network(Gradients = true)]
[Dense(9, 80, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K9_N80;

[Network(Gradients = true)]
[Dense(9, 300, Activation.Identity)]
public partial class Conformance_K9_N300;

[Network(Gradients = true)]
[Dense(1031, 1, Activation.Sigmoid)]
public partial class Conformance_K1031_N1;

[Network(Gradients = true)]
[Dense(1031, 2, Activation.Tanh)]
public partial class Conformance_K1031_N2;

[Network(Gradients = true)]
[Dense(1031, 15, Activation.Gelu)]
public partial class Conformance_K1031_N15;

[Network(Gradients = true)]
[Dense(1031, 16, Activation.GeluTanh)]
public partial class Conformance_K1031_N16;

[Network(Gradients = true)]
[Dense(1031, 17, Activation.Silu)]
public partial class Conformance_K1031_N17;

[Network(Gradients = true)]
[Dense(1031, 35, Activation.Softmax)]
public partial class Conformance_K1031_N35;

[Network(Gradients = true)]
[Dense(1031, 80, Activation.Relu)]
public partial class Conformance_K1031_N80;

// 1.25 MB of packed weights, above the generator's 1 MiB prefetch threshold: its whole-K sweeps share each next panel
// group's lines out to the full row blocks' tiles (WeightPrefetch), so this shape runs that code on every path.
[Network(Gradients = true)]
[Dense(1031, 300, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K1031_N300;

[Network(Gradients = true)]
[Dense(2049, 35, Activation.Gelu)]
public partial class Conformance_K2049_N35;

[Network(Gradients = true)]
[Dense(2055, 300, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K2055_N300;

[Network(Gradients = true)]
[Dense(2304, 80, Activation.Softmax)]
public partial class Conformance_K2304_N80;

// Tail sweep: every tail width 1..15 of a 16-column panel (alone and after full panels), so every partial
// store of 4-, 8- and 16-lane vectors (halves, 64-bit, 32-bit pieces) is exercised on every path.
[Network(Gradients = true)]
[Dense(7, 3, Activation.Identity)]
public partial class Conformance_K7_N3;

[Network(Gradients = true)]
[Dense(7, 4, Activation.Sigmoid)]
public partial class Conformance_K7_N4;

[Network(Gradients = true)]
[Dense(7, 5, Activation.Tanh)]
public partial class Conformance_K7_N5;

[Network(Gradients = true)]
[Dense(7, 6, Activation.Gelu)]
public partial class Conformance_K7_N6;

[Network(Gradients = true)]
[Dense(7, 7, Activation.GeluTanh)]
public partial class Conformance_K7_N7;

[Network(Gradients = true)]
[Dense(7, 8, Activation.Silu)]
public partial class Conformance_K7_N8;

[Network(Gradients = true)]
[Dense(7, 9, Activation.Softmax)]
public partial class Conformance_K7_N9;

[Network(Gradients = true)]
[Dense(7, 10, Activation.Relu)]
public partial class Conformance_K7_N10;

[Network(Gradients = true)]
[Dense(7, 11, Activation.LeakyRelu, Alpha = 0.1f)]
public partial class Conformance_K7_N11;

[Network(Gradients = true)]
[Dense(7, 12, Activation.Identity)]
public partial class Conformance_K7_N12;

[Network(Gradients = true)]
[Dense(7, 13, Activation.Sigmoid)]
public partial class Conformance_K7_N13;

[Network(Gradients = true)]
[Dense(7, 14, Activation.Tanh)]
public partial class Conformance_K7_N14;

[Network(Gradients = true)]
[Dense(7, 21, Activation.Gelu)]
public partial class Conformance_K7_N21;

[Network(Gradients = true)]
[Dense(7, 25, Activation.GeluTanh)]
public partial class Conformance_K7_N25;

[Network(Gradients = true)]
[Dense(7, 29, Activation.Silu)]
public partial class Conformance_K7_N29;

[Network(Gradients = true)]
[Dense(7, 40, Activation.Softmax)]
public partial class Conformance_K7_N40;

// Vector512's row tile spans three panels (8x48): exactly one group, a group and one panel (the 1-panel tile after the
// groups), and 11 panels, which a batch of 8 rows or more walks as a block of 9 panels and a last block of 2.
[Network(Gradients = true)]
[Dense(5, 48, Activation.Relu)]
public partial class Conformance_K5_N48;

[Network(Gradients = true)]
[Dense(9, 64, Activation.Gelu)]
public partial class Conformance_K9_N64;

[Network(Gradients = true)]
[Dense(8, 176, Activation.Identity)]
public partial class Conformance_K8_N176;
