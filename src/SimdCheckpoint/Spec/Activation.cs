// This file is compiled into the runtime library and, linked, into the source generator
// (netstandard2.0, where it is internal): keep it free of APIs newer than netstandard2.0.
namespace SimdCheckpoint;

/// <summary>
/// The element-wise function a dense layer applies to its accumulator, fused into the layer's kernel.
/// Each one is a fixed sequence of binary32 operations, identical on every instruction set.
/// </summary>
#if SIMDCHECKPOINT_GENERATOR
internal
#else
public
#endif
enum Activation
{
    /// <summary><c>y = x</c>.</summary>
    Identity = 0,

    /// <summary><c>y = x &lt; 0 ? +0 : x</c>. NaN stays NaN and -0 stays -0.</summary>
    Relu = 1,

    /// <summary><c>y = x &lt; 0 ? alpha·x : x</c> (one binary32 multiply). NaN stays NaN.</summary>
    LeakyRelu = 2,
}
