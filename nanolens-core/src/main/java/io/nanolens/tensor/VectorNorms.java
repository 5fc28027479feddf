package io.nanolens.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twins of the RMSNorm and LayerNorm kernels of {@link Kernels} (the norm half of
 * {@link VectorKernels}; callers go through {@link Ops}). Everything runs row by row, rows split over threads.
 * The weight and bias gradients sum over rows: the backward passes cut the rows into chunks fixed by the shape
 * alone, each chunk sums its rows into its own partial [d] while they are still in L1, and the partials are added
 * in chunk order, so nothing races and the bits do not depend on the thread count. (A second pass over column
 * blocks avoids the partials but re-reads dout and x from memory: 2-3× slower at 4096×768.)
 * Matrices are {@code rows}×{@code d} row-major; {@code weight} and {@code bias} [d] may be null.
 */
public final class VectorNorms {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    // At most this many row chunks (and partial gradients) per backward call: enough to balance two to eight cores.
    private static final int MAX_GRAD_CHUNKS = 16;
    // The partial gradients, kept per calling thread so a training step does not allocate them on every call.
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

    /** A chunk of rows [r0, r1) whose parameter gradients go to dweight[wOff..] and dbias[bOff..]. */
    @FunctionalInterface
    private interface RowChunk {
        void run(int r0, int r1, float[] dweight, int wOff, float[] dbias, int bOff);
    }

    private VectorNorms() {
    }

    /** RMSNorm of each row: out = x·rstd·weight with rstd = 1/√(mean(x²) + eps) saved per row. */
    public static void rmsNorm(float[] x, float[] weight, float[] out, float[] rstd, int rows, int d, float eps) {
        VectorKernels.split(rows, d, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * d;
                float rs = (float) (1 / Math.sqrt(VectorKernels.dotChunk(x, o, x, o, d) / d + eps));
                rstd[r] = rs;
                normalizeRow(x, o, 0, rs, weight, null, out, d);
            }
        });
    }

    /** Gradient of {@link #rmsNorm}: dx (overwritten); dweight (may be null) += Σ_rows dout·x·rstd. */
    public static void rmsNormBackward(float[] dout, float[] x, float[] weight, float[] rstd, float[] dx,
                                       float[] dweight, int rows, int d) {
        forRowChunks(rows, d, dweight, null, (r0, r1, dw, wOff, db, bOff) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d;
                float rs = rstd[r];
                float gx = weightedDot(dout, x, weight, o, d);
                // Parameter gradients first: dx may be the same array as dout or x.
                if (dw != null) {
                    weightGradRow(dout, x, o, 0, rs, dw, wOff, null, 0, d);
                }
                rmsNormDxRow(dout, x, weight, dx, o, d, rs, rs * rs * rs * gx / d);
            }
        });
    }

    /** LayerNorm of each row: out = (x − mean)·rstd·weight + bias; mean and rstd [rows] saved per row. */
    public static void layerNorm(float[] x, float[] weight, float[] bias, float[] out, float[] mean, float[] rstd,
                                 int rows, int d, float eps) {
        VectorKernels.split(rows, d, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * d;
                float mu = sum(x, o, d) / d;
                float rs = (float) (1 / Math.sqrt(squaredDeviations(x, o, d, mu) / d + eps));
                mean[r] = mu;
                rstd[r] = rs;
                normalizeRow(x, o, mu, rs, weight, bias, out, d);
            }
        });
    }

    /** Gradient of {@link #layerNorm}: dx (overwritten); dweight += Σ dout·x̂, dbias += Σ dout (each may be null). */
    public static void layerNormBackward(float[] dout, float[] x, float[] weight, float[] mean, float[] rstd,
                                         float[] dx, float[] dweight, float[] dbias, int rows, int d) {
        forRowChunks(rows, d, dweight, dbias, (r0, r1, dw, wOff, db, bOff) -> {
            for (int r = r0; r < r1; r++) {
                // Parameter gradients first: dx may be the same array as dout or x.
                if (dw != null || db != null) {
                    weightGradRow(dout, x, r * d, mean[r], rstd[r], dw, wOff, db, bOff, d);
                }
                layerNormDxRow(dout, x, weight, mean[r], rstd[r], dx, r * d, d);
            }
        });
    }

    /**
     * Runs body over chunks of rows. One chunk (small work) accumulates straight into dweight and dbias; several
     * run in parallel, each into its own zeroed partials, which are then added in chunk order.
     */
    private static void forRowChunks(int rows, int d, float[] dweight, float[] dbias, RowChunk body) {
        long work = (long) rows * d;
        int chunks = work < VectorKernels.PARALLEL_MIN ? 1
                : (int) Math.min(Math.min(rows, MAX_GRAD_CHUNKS), work / (VectorKernels.PARALLEL_MIN / 2));
        if (chunks <= 1) {
            body.run(0, rows, dweight, 0, dbias, 0);
            return;
        }
        // Layout of the partials: [chunks, d] for dweight, then [chunks, d] for dbias.
        float[] partials = partials(2 * chunks * d);
        float[] pw = dweight == null ? null : partials;
        float[] pb = dbias == null ? null : partials;
        Parallel.forEach(chunks, (c, worker) -> body.run((int) ((long) rows * c / chunks),
                (int) ((long) rows * (c + 1) / chunks), pw, c * d, pb, (chunks + c) * d));
        for (int c = 0; c < chunks; c++) {
            if (dweight != null) {
                VectorKernels.axpyRange(1f, partials, c * d, dweight, 0, 0, d);
            }
            if (dbias != null) {
                VectorKernels.axpyRange(1f, partials, (chunks + c) * d, dbias, 0, 0, d);
            }
        }
    }

    /** This thread's scratch for partial gradients, at least n long, its first n values zeroed. */
    private static float[] partials(int n) {
        float[] scratch = PARTIALS.get();
        if (scratch.length < n) {
            scratch = new float[n];
            PARTIALS.set(scratch);
        } else {
            Arrays.fill(scratch, 0, n, 0f);
        }
        return scratch;
    }

    /** out[o+i] = (x[o+i] − mu)·rs·weight[i] + bias[i] over one row; null weight or bias is skipped. */
    private static void normalizeRow(float[] x, int o, float mu, float rs, float[] weight, float[] bias,
                                     float[] out, int d) {
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector y = FloatVector.fromArray(F, x, o + i).sub(mu).mul(rs);
            if (weight != null) {
                y = y.mul(FloatVector.fromArray(F, weight, i));
            }
            if (bias != null) {
                y = y.add(FloatVector.fromArray(F, bias, i));
            }
            y.intoArray(out, o + i);
        }
        for (; i < d; i++) {
            float y = (x[o + i] - mu) * rs * (weight == null ? 1 : weight[i]);
            out[o + i] = bias == null ? y : y + bias[i];
        }
    }

    /** Σ dout·weight·x over one row (weight null = 1). */
    private static float weightedDot(float[] dout, float[] x, float[] weight, int o, int d) {
        if (weight == null) {
            return VectorKernels.dotChunk(dout, o, x, o, d);
        }
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + i).mul(FloatVector.fromArray(F, weight, i));
            acc = g.fma(FloatVector.fromArray(F, x, o + i), acc);
        }
        float sum = VectorMath.sum(acc);
        for (; i < d; i++) {
            sum += dout[o + i] * weight[i] * x[o + i];
        }
        return sum;
    }

    /** dx = rs·dout·weight − c·x over one row. */
    private static void rmsNormDxRow(float[] dout, float[] x, float[] weight, float[] dx, int o, int d,
                                     float rs, float c) {
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + i);
            if (weight != null) {
                g = g.mul(FloatVector.fromArray(F, weight, i));
            }
            g.mul(rs).sub(FloatVector.fromArray(F, x, o + i).mul(c)).intoArray(dx, o + i);
        }
        for (; i < d; i++) {
            dx[o + i] = rs * dout[o + i] * (weight == null ? 1 : weight[i]) - c * x[o + i];
        }
    }

    /** dx = rs·(g − mean(g) − x̂·mean(g·x̂)) over one row, g = dout·weight, x̂ = (x − mu)·rs. */
    private static void layerNormDxRow(float[] dout, float[] x, float[] weight, float mu, float rs, float[] dx,
                                       int o, int d) {
        FloatVector sgv = FloatVector.zero(F);
        FloatVector sgxv = sgv;
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + i);
            if (weight != null) {
                g = g.mul(FloatVector.fromArray(F, weight, i));
            }
            sgv = sgv.add(g);
            sgxv = g.fma(FloatVector.fromArray(F, x, o + i).sub(mu).mul(rs), sgxv);
        }
        float sg = VectorMath.sum(sgv);
        float sgx = VectorMath.sum(sgxv);
        for (; i < d; i++) {
            float g = dout[o + i] * (weight == null ? 1 : weight[i]);
            sg += g;
            sgx += g * (x[o + i] - mu) * rs;
        }
        float meanG = sg / d;
        float meanGx = sgx / d;
        i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + i);
            if (weight != null) {
                g = g.mul(FloatVector.fromArray(F, weight, i));
            }
            FloatVector xhat = FloatVector.fromArray(F, x, o + i).sub(mu).mul(rs);
            g.sub(meanG).sub(xhat.mul(meanGx)).mul(rs).intoArray(dx, o + i);
        }
        for (; i < d; i++) {
            float xhat = (x[o + i] - mu) * rs;
            dx[o + i] = rs * (dout[o + i] * (weight == null ? 1 : weight[i]) - meanG - xhat * meanGx);
        }
    }

    /** dweight[wOff+i] += dout·(x − mu)·rs and dbias[bOff+i] += dout over one row; either may be null. */
    private static void weightGradRow(float[] dout, float[] x, int o, float mu, float rs, float[] dweight, int wOff,
                                      float[] dbias, int bOff, int d) {
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + i);
            if (dweight != null) {
                FloatVector xhat = FloatVector.fromArray(F, x, o + i).sub(mu).mul(rs);
                g.fma(xhat, FloatVector.fromArray(F, dweight, wOff + i)).intoArray(dweight, wOff + i);
            }
            if (dbias != null) {
                g.add(FloatVector.fromArray(F, dbias, bOff + i)).intoArray(dbias, bOff + i);
            }
        }
        for (; i < d; i++) {
            if (dweight != null) {
                dweight[wOff + i] += dout[o + i] * ((x[o + i] - mu) * rs);
            }
            if (dbias != null) {
                dbias[bOff + i] += dout[o + i];
            }
        }
    }

    private static float sum(float[] x, int o, int d) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            acc = acc.add(FloatVector.fromArray(F, x, o + i));
        }
        float s = VectorMath.sum(acc);
        for (; i < d; i++) {
            s += x[o + i];
        }
        return s;
    }

    private static float squaredDeviations(float[] x, int o, int d, float mu) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector dev = FloatVector.fromArray(F, x, o + i).sub(mu);
            acc = dev.fma(dev, acc);
        }
        float s = VectorMath.sum(acc);
        for (; i < d; i++) {
            s += (x[o + i] - mu) * (x[o + i] - mu);
        }
        return s;
    }
}
