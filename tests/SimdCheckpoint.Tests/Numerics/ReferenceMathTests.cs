using System;
using SimdCheckpoint.Reference;
using Xunit;

namespace SimdCheckpoint.Tests.Numerics;

/// <summary>The double-precision references themselves, against values from CPython's math.erf and math.erfc.</summary>
public sealed class ReferenceMathTests
{
    [Theory]
    [InlineData(1e-300, 1.1283791670955126e-300, 1.0)]
    [InlineData(1e-10, 1.1283791670955126e-10, 0.999999999887162)]
    [InlineData(0.1, 0.1124629160182849, 0.8875370839817152)]
    [InlineData(0.5, 0.5204998778130465, 0.4795001221869535)]
    [InlineData(0.9, 0.7969082124228322, 0.20309178757716786)]
    [InlineData(1.0, 0.8427007929497149, 0.15729920705028513)]
    [InlineData(1.5, 0.9661051464753108, 0.033894853524689274)]
    [InlineData(2.0, 0.9953222650189527, 0.004677734981047265)]
    [InlineData(2.4, 0.999311486103355, 0.0006885138966450789)]
    [InlineData(2.5, 0.999593047982555, 0.0004069520174449589)]
    [InlineData(2.6, 0.9997639655834707, 0.00023603441652934908)]
    [InlineData(3.0, 0.9999779095030014, 2.2090496998585438e-05)]
    [InlineData(4.0, 0.9999999845827421, 1.541725790028002e-08)]
    [InlineData(5.0, 0.9999999999984626, 1.5374597944280351e-12)]
    [InlineData(7.0, 1.0, 4.183825607779414e-23)]
    [InlineData(9.0, 1.0, 4.13703174651381e-37)]
    [InlineData(10.0, 1.0, 2.088487583762545e-45)]
    [InlineData(10.5, 1.0, 7.035928090177523e-50)]
    [InlineData(12.0, 1.0, 1.3562611692059042e-64)]
    [InlineData(20.0, 1.0, 5.3958656116079005e-176)]
    [InlineData(26.0, 1.0, 5.663192408856143e-296)]
    [InlineData(-0.5, -0.5204998778130465, 1.5204998778130465)]
    [InlineData(-2.0, -0.9953222650189527, 1.9953222650189528)]
    [InlineData(-3.0, -0.9999779095030014, 1.9999779095030015)]
    public void Erf_and_erfc_agree_with_an_independent_implementation(double x, double erf, double erfc)
    {
        // Far below a binary32 ulp (6e-8 relative) either way: the references only have to measure binary32 results.
        Assert.True(Math.Abs(ReferenceMath.Erf(x) - erf) <= 1e-15 * Math.Abs(erf), $"erf({x}) = {ReferenceMath.Erf(x):R}, expected {erf:R}");
        Assert.True(Math.Abs(ReferenceMath.Erfc(x) - erfc) <= 1e-13 * Math.Abs(erfc), $"erfc({x}) = {ReferenceMath.Erfc(x):R}, expected {erfc:R}");
    }

    [Fact]
    public void The_series_and_the_continued_fraction_agree_where_they_meet()
    {
        for (double x = 1.5; x < 2.0; x += 0.01)
        {
            double fromSeries = 1 - ReferenceMath.Erf(x);
            double fromFraction = ReferenceMath.ErfcContinuedFraction(x);
            Assert.True(Math.Abs(fromSeries - fromFraction) <= 1e-13 * fromFraction, $"x = {x}: {fromSeries:R} vs {fromFraction:R}");
        }
    }

    [Fact]
    public void Sigmoid_forms_do_not_cancel()
    {
        Assert.Equal(Math.Exp(-700), ReferenceMath.Sigmoid(-700), 1e-310);
        Assert.Equal(-0.0, ReferenceMath.Gelu(double.NegativeInfinity));
        Assert.True(ReferenceMath.GeluTanh(-10) < 0 && ReferenceMath.GeluTanh(-10) > -1e-30);
        Assert.Equal(0.5, ReferenceMath.GeluDerivative(0));
        Assert.Equal(0.5, ReferenceMath.SiluDerivative(0));
    }
}
