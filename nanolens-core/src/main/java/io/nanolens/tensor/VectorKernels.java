package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twins of the elementwise, reduction, softmax and activation kernels of {@link Kernels}: same
 * signatures, same results up to float rounding. The norms live in {@link VectorNorms}, row-wise top-k in
 * {@link TopK} and the sparse-row products in {@link SparseRows}; callers go through {@link Ops}.
 * Each kernel is a small loop over whole vectors of {@link Simd#F} plus a scalar tail, kept in its own method so
 * C2 compiles it into SIMD code; work above {@link #PARALLEL_MIN} multiply-adds is split over {@link Parallel}.
 * Matrices are {@code rows}×{@code n} row-major; an output may be the same array as an input.
 */
public final class VectorKernels {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    // Below ~32k multiply-adds (a few µs) handing work to another thread costs about what the second core saves.
    static final long PARALLEL_MIN = 1 << 15;
    // Long reductions are summed in chunks of this fixed size, so their rounding never depends on the thread count.
    private static final int REDUCE_CHUNK = 1 << 16;
    // Past |x| = 9, tanh(x) rounds to ±1 in float; clamping also keeps the rational form below from overflowing.
    private static final float TANH_CLAMP = 9f;

    private VectorKernels() {
    }

    /** Runs body over [0, units): in parallel when units·cost exceeds {@link #PARALLEL_MIN}, else on this thread. */
    static void split(int units, long cost, Parallel.RangeTask body) {
        long perUnit = Math.max(1, cost);
        if (units < 2 || units * perUnit < PARALLEL_MIN) {
            body.run(0, units);
        } else {
            Parallel.forRange(units, (int) Math.max(1, PARALLEL_MIN / 2 / perUnit), body);
        }
    }

    /** out[i] = x[i] + y[i] for i < n. */
    public static void add(float[] x, float[] y, float[] out, int n) {
        split(n, 1, (from, to) -> addRange(x, y, out, from, to));
    }

    /** out[i] = x[i]·y[i] for i < n. */
    public static void mul(float[] x, float[] y, float[] out, int n) {
        split(n, 1, (from, to) -> mulRange(x, y, out, from, to));
    }

    /** out[i] = s·x[i] for i < n. */
    public static void scale(float[] x, float s, float[] out, int n) {
        split(n, 1, (from, to) -> scaleRange(x, s, out, from, to));
    }

    /** y[i] += a·x[i] for i < n. */
    public static void axpy(float a, float[] x, float[] y, int n) {
        split(n, 1, (from, to) -> axpyRange(a, x, 0, y, 0, from, to));
    }

    /** Σ a[aOff+i]·b[bOff+i] over i < n, in float lanes; above 64k values summed per fixed chunk in parallel. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        if (n <= REDUCE_CHUNK) {
            return dotChunk(a, aOff, b, bOff, n);
        }
        int chunks = (n + REDUCE_CHUNK - 1) / REDUCE_CHUNK;
        float[] partial = new float[chunks];
        Parallel.forEach(chunks, (c, worker) -> {
            int from = c * REDUCE_CHUNK;
            partial[c] = dotChunk(a, aOff + from, b, bOff + from, Math.min(REDUCE_CHUNK, n - from));
        });
        float sum = 0;
        for (float p : partial) {
            sum += p;
        }
        return sum;
    }

    /** Σ x[off+i]² over i < n. */
    public static float sumSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /** Softmax of each row of x [rows, n], computed as exp(x − max) / Σ so large logits cannot overflow. */
    public static void softmax(float[] x, float[] out, int rows, int n) {
        split(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxRow(x, out, r * n, n);
            }
        });
    }

    /** Gradient of {@link #softmax} given its output y: dx = y·(dy − Σ dy·y) per row. */
    public static void softmaxBackward(float[] dy, float[] y, float[] dx, int rows, int n) {
        split(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                softmaxBackwardRow(dy, y, dx, r * n, n);
            }
        });
    }

    /** GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static void gelu(float[] x, float[] out, int n) {
        split(n, 4, (from, to) -> geluRange(x, out, from, to));
    }

    /** Gradient of {@link #gelu}: dx = dout·gelu'(x). */
    public static void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        split(n, 4, (from, to) -> geluBackwardRange(dout, x, dx, from, to));
    }

    /** Squared ReLU: out = max(x, 0)². */
    public static void reluSquared(float[] x, float[] out, int n) {
        split(n, 1, (from, to) -> reluSquaredRange(x, out, from, to));
    }

    /** Gradient of {@link #reluSquared}: dx = dout·2·max(x, 0). */
    public static void reluSquaredBackward(float[] dout, float[] x, float[] dx, int n) {
        split(n, 1, (from, to) -> reluSquaredBackwardRange(dout, x, dx, from, to));
    }

    /** Logit soft-capping: out = cap·tanh(x/cap). */
    public static void softcap(float[] x, float[] out, int n, float cap) {
        split(n, 4, (from, to) -> softcapRange(x, out, cap, from, to));
    }

    /** Gradient of {@link #softcap} from its output y: dx = dout·(1 − (y/cap)²). */
    public static void softcapBackward(float[] dout, float[] y, float[] dx, int n, float cap) {
        split(n, 1, (from, to) -> softcapBackwardRange(dout, y, dx, cap, from, to));
    }

    /**
     * tanh as a rational function x·P(x²)/Q(x²) of degrees 9/8 on x clamped to [−9, 9]: a minimax fit of the
     * relative error made for nanolens (Loeb–Lawson iteration in float64 on 40k points of [0, 9], P(0) = Q(0) = 1),
     * max relative error 2e-8 in exact arithmetic and 3.1e-7 evaluated in float. Four FMAs per polynomial and one
     * division: about 3× faster than {@code lanewise(TANH)} on AVX2 (0.7 vs 2.2 ns per value, JDK 25).
     */
    static FloatVector tanh(FloatVector v) {
        FloatVector x = v.max(-TANH_CLAMP).min(TANH_CLAMP);
        FloatVector s = x.mul(x);
        FloatVector p = s.fma(1.3419806e-08f, 2.0661257e-05f)
                .fma(s, FloatVector.broadcast(F, 0.0034989962f))
                .fma(s, FloatVector.broadcast(F, 0.13383980f))
                .fma(s, FloatVector.broadcast(F, 1f));
        FloatVector q = s.fma(7.8047246e-07f, 3.2910382e-04f)
                .fma(s, FloatVector.broadcast(F, 0.025890207f))
                .fma(s, FloatVector.broadcast(F, 0.46717302f))
                .fma(s, FloatVector.broadcast(F, 1f));
        // The fit may overshoot 1 by a few ulp near the clamp; softcapBackward relies on |tanh| ≤ 1.
        return x.mul(p).div(q).max(-1f).min(1f);
    }

    static void addRange(float[] x, float[] y, float[] out, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] + y[i];
        }
    }

    static void mulRange(float[] x, float[] y, float[] out, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, x, i).mul(FloatVector.fromArray(F, y, i)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] * y[i];
        }
    }

    static void scaleRange(float[] x, float s, float[] out, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, x, i).mul(s).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = s * x[i];
        }
    }

    /** y[yOff+i] += a·x[xOff+i] for i in [from, to). */
    static void axpyRange(float a, float[] x, int xOff, float[] y, int yOff, int from, int to) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < to; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** Serial dot product; four accumulators keep four independent FMA chains in flight (FMA latency is 4). */
    static float dotChunk(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int i = 0;
        for (int end = n - 4 * L; i <= end; i += 4 * L) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
            s1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), s1);
            s2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), s3);
        }
        for (int end = n - L; i <= end; i += L) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
        }
        float sum = VectorMath.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    private static void softmaxRow(float[] x, float[] out, int o, int n) {
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            mv = mv.max(FloatVector.fromArray(F, x, o + i));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[o + i]);
        }
        scaleRange(out, 1 / expShifted(x, out, o, n, max), out, o, o + n);
    }

    /** out = exp(x − max) over one row; returns the row's sum. */
    private static float expShifted(float[] x, float[] out, int o, int n, float max) {
        FloatVector sv = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, o + i).sub(max));
            e.intoArray(out, o + i);
            sv = sv.add(e);
        }
        float sum = VectorMath.sum(sv);
        for (; i < n; i++) {
            out[o + i] = (float) Math.exp(x[o + i] - max);
            sum += out[o + i];
        }
        return sum;
    }

    private static void softmaxBackwardRow(float[] dy, float[] y, float[] dx, int o, int n) {
        float s = dotChunk(dy, o, y, o, n);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector yv = FloatVector.fromArray(F, y, o + i);
            yv.mul(FloatVector.fromArray(F, dy, o + i).sub(s)).intoArray(dx, o + i);
        }
        for (; i < n; i++) {
            dx[o + i] = y[o + i] * (dy[o + i] - s);
        }
    }

    /** gelu(x) = x·σ(v), v = 2·√(2/π)·(x + 0.044715·x³): see {@link Kernels#gelu(float)} for why σ, not tanh. */
    private static void geluRange(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector e = VectorMath.exp(geluV(v).neg());
            v.div(e.add(1f)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = Kernels.gelu(x[i]);
        }
    }

    /** dx = dout·σ(v)·(1 + x·v'·e^(−v)·σ(v)), as {@link Kernels#geluSlope(float)}. */
    private static void geluBackwardRange(float[] dout, float[] x, float[] dx, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector e = VectorMath.exp(geluV(v).neg());
            FloatVector s = FloatVector.broadcast(F, 1f).div(e.add(1f));
            FloatVector dv = v.mul(v).fma(6 * Kernels.GELU_B, 2 * Kernels.GELU_A);
            FloatVector slope = v.mul(dv).mul(e).mul(s).fma(s, s);
            FloatVector.fromArray(F, dout, i).mul(slope).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = dout[i] * Kernels.geluSlope(x[i]);
        }
    }

    /** v = 2·√(2/π)·(x + 0.044715·x³), floored at {@link Kernels#GELU_MIN_V}. */
    private static FloatVector geluV(FloatVector x) {
        return x.mul(x.mul(x).fma(2 * Kernels.GELU_B, 2 * Kernels.GELU_A)).max(Kernels.GELU_MIN_V);
    }

    private static void reluSquaredRange(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector r = FloatVector.fromArray(F, x, i).max(0f);
            r.mul(r).intoArray(out, i);
        }
        for (; i < to; i++) {
            float r = Math.max(x[i], 0);
            out[i] = r * r;
        }
    }

    private static void reluSquaredBackwardRange(float[] dout, float[] x, float[] dx, int from, int to) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector r = FloatVector.fromArray(F, x, i).max(0f);
            FloatVector.fromArray(F, dout, i).mul(r.mul(2f)).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = dout[i] * 2 * Math.max(x[i], 0);
        }
    }

    private static void softcapRange(float[] x, float[] out, float cap, int from, int to) {
        float inv = 1 / cap;
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            tanh(FloatVector.fromArray(F, x, i).mul(inv)).mul(cap).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = cap * (float) Math.tanh(x[i] / cap);
        }
    }

    private static void softcapBackwardRange(float[] dout, float[] y, float[] dx, float cap, int from, int to) {
        float inv = 1 / cap;
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector t = FloatVector.fromArray(F, y, i).mul(inv);
            FloatVector.fromArray(F, dout, i).mul(t.neg().fma(t, FloatVector.broadcast(F, 1f))).intoArray(dx, i);
        }
        for (; i < to; i++) {
            float t = y[i] / cap;
            dx[i] = dout[i] * (1 - t * t);
        }
    }
}
