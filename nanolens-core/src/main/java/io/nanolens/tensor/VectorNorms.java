package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twins of the RMSNorm and LayerNorm kernels of {@link Kernels} (the norm half of
 * {@link VectorKernels}; callers go through {@link Ops}). Forward and dx run row by row, rows split over threads.
 * The weight and bias gradients sum over rows, so they run in a second pass split by column blocks instead: each
 * thread owns its columns and adds the rows in order, which cannot race and gives the same bits for any thread
 * count. Matrices are {@code rows}×{@code d} row-major; {@code weight} and {@code bias} [d] may be null.
 */
public final class VectorNorms {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    // Columns per block of the weight-gradient pass: a multiple of any vector width, and 12 blocks at d = 768.
    private static final int COLUMN_BLOCK = 64;

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
        VectorKernels.split(rows, d, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * d;
                float rs = rstd[r];
                float gx = weightedDot(dout, x, weight, o, d);
                rmsNormDxRow(dout, x, weight, dx, o, d, rs, rs * rs * rs * gx / d);
            }
        });
        if (dweight != null) {
            forColumnBlocks(rows, d, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    weightGradRow(dout, x, r * d, 0, rstd[r], dweight, null, c0, c1);
                }
            });
        }
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
        VectorKernels.split(rows, d, (from, to) -> {
            for (int r = from; r < to; r++) {
                layerNormDxRow(dout, x, weight, mean[r], rstd[r], dx, r * d, d);
            }
        });
        if (dweight != null || dbias != null) {
            forColumnBlocks(rows, d, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    weightGradRow(dout, x, r * d, mean[r], rstd[r], dweight, dbias, c0, c1);
                }
            });
        }
    }

    /** Runs body(c0, c1) over blocks of {@link #COLUMN_BLOCK} columns, blocks spread over threads. */
    private static void forColumnBlocks(int rows, int d, Parallel.RangeTask body) {
        int blocks = (d + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        VectorKernels.split(blocks, (long) rows * COLUMN_BLOCK,
                (b0, b1) -> body.run(b0 * COLUMN_BLOCK, Math.min(d, b1 * COLUMN_BLOCK)));
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
        float sum = acc.reduceLanes(VectorOperators.ADD);
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
        float sg = sgv.reduceLanes(VectorOperators.ADD);
        float sgx = sgxv.reduceLanes(VectorOperators.ADD);
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

    /** dweight[c] += dout·(x − mu)·rs and dbias[c] += dout for c in [c0, c1) of one row; either may be null. */
    private static void weightGradRow(float[] dout, float[] x, int o, float mu, float rs, float[] dweight,
                                      float[] dbias, int c0, int c1) {
        int c = c0;
        for (int end = c0 + F.loopBound(c1 - c0); c < end; c += L) {
            FloatVector g = FloatVector.fromArray(F, dout, o + c);
            if (dweight != null) {
                FloatVector xhat = FloatVector.fromArray(F, x, o + c).sub(mu).mul(rs);
                g.fma(xhat, FloatVector.fromArray(F, dweight, c)).intoArray(dweight, c);
            }
            if (dbias != null) {
                g.add(FloatVector.fromArray(F, dbias, c)).intoArray(dbias, c);
            }
        }
        for (; c < c1; c++) {
            if (dweight != null) {
                dweight[c] += dout[o + c] * ((x[o + c] - mu) * rs);
            }
            if (dbias != null) {
                dbias[c] += dout[o + c];
            }
        }
    }

    private static float sum(float[] x, int o, int d) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            acc = acc.add(FloatVector.fromArray(F, x, o + i));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
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
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < d; i++) {
            s += (x[o + i] - mu) * (x[o + i] - mu);
        }
        return s;
    }
}
