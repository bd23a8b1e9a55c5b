#!/usr/bin/env python3
"""Fits the polynomial coefficients of SimdCheckpoint's canonical Erf and Erfc (src/SimdCheckpoint/Numerics).

Needs mpmath (Debian: python3-mpmath). Run: python3 tools/math/fit_erf.py [DEGREE] [--core-only] [--g]   (about four minutes)
Prints the binary32 coefficients to paste into CanonicalMath.cs, and the approximation error (relative to the
exact function, evaluated in 40-digit arithmetic with the rounded coefficients) of each fit. The error of the
binary32 evaluation itself is measured by `simdcheckpoint mathcheck`, not here.

Method: Lawson's iteratively reweighted least squares on Chebyshev points converges to the minimax (equal-ripple)
polynomial for the weighted relative error; the coefficients are then rounded to binary32 one at a time, from the
highest degree down, refitting the lower ones after each rounding so the rounding error of one is absorbed by
the others.
"""
import struct
import sys
import mpmath as mp

mp.mp.dps = 40


def f32(v):
    return struct.unpack("<f", struct.pack("<f", float(v)))[0]


def fit(target, weight, lo, hi, degree, points=600, iterations=60, fixed=None):
    """Minimax fit of target(t) on [lo, hi] by sum c_i t^i, i = 0..degree, minimising |p - target| * weight."""
    fixed = dict(fixed or {})
    ts = [lo + (hi - lo) * (1 - mp.cos(mp.pi * (j + mp.mpf(0.5)) / points)) / 2 for j in range(points)]
    ys = [target(t) for t in ts]
    ws = [weight(t) for t in ts]
    free = [i for i in range(degree + 1) if i not in fixed]
    lawson = [mp.mpf(1) / points] * points
    coeffs = None
    for _ in range(iterations):
        n = len(free)
        a = mp.matrix(n, n)
        b = mp.matrix(n, 1)
        for t, y, w, l in zip(ts, ys, ws, lawson):
            r = y - sum(c * t**i for i, c in fixed.items())
            basis = [t**i for i in free]
            ww = l * w * w
            for p in range(n):
                b[p] += ww * basis[p] * r
                for q in range(n):
                    a[p, q] += ww * basis[p] * basis[q]
        sol = mp.lu_solve(a, b)
        coeffs = dict(fixed)
        for k, i in enumerate(free):
            coeffs[i] = sol[k]
        errs = [abs(sum(c * t**i for i, c in coeffs.items()) - y) * w for t, y, w in zip(ts, ys, ws)]
        total = sum(l * e for l, e in zip(lawson, errs))
        lawson = [l * e / total for l, e in zip(lawson, errs)]
    return coeffs


def max_error(coeffs, target, weight, lo, hi, samples=20000):
    worst, at = mp.mpf(0), lo
    for j in range(samples + 1):
        t = lo + (hi - lo) * j / samples
        e = abs(sum(c * t**i for i, c in coeffs.items()) - target(t)) * weight(t)
        if e > worst:
            worst, at = e, t
    return worst, at


def fit_rounded(target, weight, lo, hi, degree, keep_exact=()):
    fixed = {}
    for i in range(degree, -1, -1):
        if i in keep_exact:
            continue
        c = fit(target, weight, lo, hi, degree, fixed=fixed)
        fixed[i] = mp.mpf(f32(c[i]))
    return fixed


def show(name, coeffs, target, weight, lo, hi):
    worst, at = max_error(coeffs, target, weight, lo, hi)
    print(f"// {name}: max weighted error {mp.nstr(worst, 4)} (= {mp.nstr(worst * 2**24, 4)} half-ulps) at t = {mp.nstr(at, 8)}")
    for i in sorted(coeffs, reverse=True):
        print(f"    c{i} = {f32(coeffs[i]):.9e}f  // {float(coeffs[i]).hex()}")


# Erf below the switch point: erf(x) = x + x * P(x^2), P(s) = erf(sqrt s)/sqrt s - 1. The result's relative error is
# the error of P divided by 1 + P(s).
ERF_SWITCH = mp.mpf(1)


def erf_p(s):
    if s == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    x = mp.sqrt(s)
    return mp.erf(x) / x - 1


if "--core-only" not in sys.argv:
    erf_coeffs = fit_rounded(erf_p, lambda s: 1 / (1 + erf_p(s)), mp.mpf(0), ERF_SWITCH**2, 6)
    show("erf, |x| < 1: x + x*P(x^2)", erf_coeffs, erf_p, lambda s: 1 / (1 + erf_p(s)), mp.mpf(0), ERF_SWITCH**2)

# Erfc core: erfc(a) = exp(-a^2) * H(q) / (1 + 2a), q = (a - K) / (a + K), for a in [0, A_MAX]; H is between 1 and 1.3.
K = mp.mpf(2)
A_MAX = mp.mpf("10.5")


def a_of(q):
    return K * (1 + q) / (1 - q)


def erfc_h(q):
    a = a_of(q)
    return mp.erfc(a) * mp.exp(a * a) * (1 + 2 * a)


def erfc_g(q):
    a = a_of(q)
    return mp.erfc(a) * mp.exp(a * a)


q_hi = (A_MAX - K) / (A_MAX + K)
if "--g" in sys.argv:
    # The alternative without the division: G itself falls to 0.05 at a = 10.5 and fits about 3x worse (degree 13:
    # 1.5 half-ulps against H's 0.2 at degree 11).
    DEGREE = next((int(a) for a in sys.argv[1:] if a.isdigit()), 13)
    g_coeffs = fit_rounded(erfc_g, lambda q: 1 / erfc_g(q), mp.mpf(-1), q_hi, DEGREE)
    show("erfc core: G(q) = e^(a^2) erfc(a), q = (a-2)/(a+2)", g_coeffs, erfc_g, lambda q: 1 / erfc_g(q), mp.mpf(-1), q_hi)
else:
    DEGREE = next((int(a) for a in sys.argv[1:] if a.isdigit()), 11)
    h_coeffs = fit_rounded(erfc_h, lambda q: 1 / erfc_h(q), mp.mpf(-1), q_hi, DEGREE)
    show("erfc core: H(q) = (1+2a) e^(a^2) erfc(a), q = (a-2)/(a+2)", h_coeffs, erfc_h, lambda q: 1 / erfc_h(q), mp.mpf(-1), q_hi)
