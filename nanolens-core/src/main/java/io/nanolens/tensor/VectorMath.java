package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A lane sum and an exponential for the Vector API kernels that give the same bits whether the JIT has compiled
 * the calling code or not. {@code reduceLanes(ADD)} and {@code lanewise(EXP)} do not: the interpreter's fallback adds
 * the lanes in order and calls {@link Math#exp} per lane, while C2 adds them as a tree and uses its own vector
 * exponential, so the first steps of a run (cold code) differ in the last bits from the same steps in a warm JVM, and
 * a training run resumed in a new process would drift from one that never stopped. Both methods here are built from
 * lane-wise IEEE operations (add, multiply, fused multiply-add, shuffles, integer shifts), which every tier computes
 * exactly alike. The scalar twins are {@link Math#exp} and a plain loop.
 */
public final class VectorMath {
    private static final VectorSpecies<Float> F = Simd.F;
    // SHIFTS[k] moves lane i + 2^k to lane i, so log2(lanes) shuffle-adds leave the tree sum in lane 0.
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] SHIFTS = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];
    // exp(x) = 2^n · e^r with n = round(x / ln 2) and r = x − n·ln 2 split in two parts so that n·LN2_HI is exact
    // (LN2_HI has 9 significant bits, n at most 9) and |r| ≤ ln(2)/2.
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // Adding 1.5·2^23 rounds a float below 2^22 in magnitude to the nearest integer, which then sits in the low
    // mantissa bits: bits(t) − bits(ROUND) is that integer.
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    // Below e^−104 the result rounds to 0 and above e^89 to infinity; clamping keeps 2^n in range for the scaling.
    private static final float MIN_X = -104f;
    private static final float MAX_X = 89f;

    static {
        for (int k = 0; k < SHIFTS.length; k++) {
            SHIFTS[k] = VectorShuffle.iota(F, 1 << k, 1, true);
        }
    }

    private VectorMath() {
    }

    /** The sum of the lanes, always in the same tree order: ((v0+v4)+(v2+v6)) + ((v1+v5)+(v3+v7)) for 8 lanes. */
    public static float sum(FloatVector v) {
        for (int k = SHIFTS.length - 1; k >= 0; k--) {
            v = v.add(v.rearrange(SHIFTS[k]));
        }
        return v.lane(0);
    }

    /**
     * e^x in every lane, within 2 ulp of {@link Math#exp} for normal results (0 below e^−104, infinity above e^89,
     * NaN for NaN): a degree-7 Taylor polynomial on |r| ≤ ln(2)/2 (its truncation error, r^8/8! ≤ 6·10^−9, is
     * below half an ulp), scaled by 2^n in two halves so that results down to the subnormals round correctly.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(MIN_X).min(MAX_X);
        FloatVector t = v.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_LO), n.fma(FloatVector.broadcast(F, -LN2_HI), v));
        FloatVector p = r.fma(1f / 5040, 1f / 720)
                .fma(r, FloatVector.broadcast(F, 1f / 120))
                .fma(r, FloatVector.broadcast(F, 1f / 24))
                .fma(r, FloatVector.broadcast(F, 1f / 6))
                .fma(r, FloatVector.broadcast(F, 0.5f))
                .fma(r, FloatVector.broadcast(F, 1f))
                .fma(r, FloatVector.broadcast(F, 1f));
        IntVector k = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector half = k.lanewise(VectorOperators.ASHR, 1);
        FloatVector low = powerOfTwo(half);
        FloatVector high = powerOfTwo(k.sub(half));
        return p.mul(low).mul(high);
    }

    /** 2^e for integer lanes e in [−126, 127]: the exponent field alone. */
    private static FloatVector powerOfTwo(IntVector e) {
        return e.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }
}
