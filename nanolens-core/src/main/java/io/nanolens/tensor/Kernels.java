package io.nanolens.tensor;

import java.util.Arrays;

/**
 * Scalar reference kernels: the twin of every fast kernel, with the same signature, used when
 * {@code -Dnanolens.vector=false} and as the control the fast kernels are tested against. Plain float loops in
 * the most obvious order; callers go through {@link Ops}, which picks these or the Vector API versions.
 * Shape letters: M, K, N for matmul (C[M,N] = A[M,K]·B[K,N]); elsewhere a matrix is {@code rows}×{@code d}
 * (or ×{@code n}) row-major, and the sparse-row products of SAE training use k (active latents per row) and
 * m (latents). Unless a method says otherwise, an output array may be the same array as an input.
 */
public final class Kernels {
    private Kernels() {
    }

    /** C[M,N] (+)= op(A)·op(B), op = transpose when the flag is set (A stored [K,M], B stored [N,K]). */
    public static void matmul(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                              int m, int k, int n, boolean accumulate, boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += av * bv;
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }

    /** out[i] = x[i] + y[i] for i < n. */
    public static void add(float[] x, float[] y, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = x[i] + y[i];
        }
    }

    /** out[i] = x[i]·y[i] for i < n. */
    public static void mul(float[] x, float[] y, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = x[i] * y[i];
        }
    }

    /** out[i] = s·x[i] for i < n. */
    public static void scale(float[] x, float s, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = s * x[i];
        }
    }

    /** y[i] += a·x[i] for i < n. */
    public static void axpy(float a, float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += a * x[i];
        }
    }

    /** Σ a[aOff+i]·b[bOff+i] over i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** Σ x[off+i]² over i < n. */
    public static float sumSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /**
     * RMSNorm of each row: out = x·rstd·weight with rstd = 1/√(mean(x²) + eps), saved per row for the backward
     * pass. {@code weight} [d] may be null for the parameter-free norm (weight = 1).
     */
    public static void rmsNorm(float[] x, float[] weight, float[] out, float[] rstd, int rows, int d, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float rs = (float) (1 / Math.sqrt(sumSquares(x, o, d) / d + eps));
            rstd[r] = rs;
            for (int i = 0; i < d; i++) {
                out[o + i] = x[o + i] * rs * (weight == null ? 1 : weight[i]);
            }
        }
    }

    /**
     * Gradient of {@link #rmsNorm}: dx (overwritten) = rstd·g − rstd³·x·Σ(g·x)/d with g = dout·weight, and
     * dweight (accumulated, may be null) += Σ_rows dout·x·rstd. {@code weight} null means weight = 1.
     */
    public static void rmsNormBackward(float[] dout, float[] x, float[] weight, float[] rstd, float[] dx,
                                       float[] dweight, int rows, int d) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float rs = rstd[r];
            float gx = 0;
            for (int i = 0; i < d; i++) {
                gx += dout[o + i] * (weight == null ? 1 : weight[i]) * x[o + i];
            }
            float c = rs * rs * rs * gx / d;
            for (int i = 0; i < d; i++) {
                if (dweight != null) {
                    dweight[i] += dout[o + i] * x[o + i] * rs;
                }
                dx[o + i] = rs * dout[o + i] * (weight == null ? 1 : weight[i]) - c * x[o + i];
            }
        }
    }

    /**
     * LayerNorm of each row: out = (x − mean)·rstd·weight + bias with rstd = 1/√(var + eps); mean and rstd [rows]
     * are saved for the backward pass. {@code weight} and {@code bias} [d] may be null (1 and 0).
     */
    public static void layerNorm(float[] x, float[] weight, float[] bias, float[] out, float[] mean, float[] rstd,
                                 int rows, int d, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float sum = 0;
            for (int i = 0; i < d; i++) {
                sum += x[o + i];
            }
            float mu = sum / d;
            float var = 0;
            for (int i = 0; i < d; i++) {
                var += (x[o + i] - mu) * (x[o + i] - mu);
            }
            float rs = (float) (1 / Math.sqrt(var / d + eps));
            mean[r] = mu;
            rstd[r] = rs;
            for (int i = 0; i < d; i++) {
                float y = (x[o + i] - mu) * rs * (weight == null ? 1 : weight[i]);
                out[o + i] = bias == null ? y : y + bias[i];
            }
        }
    }

    /**
     * Gradient of {@link #layerNorm}: with x̂ = (x − mean)·rstd and g = dout·weight, dx (overwritten) =
     * rstd·(g − mean(g) − x̂·mean(g·x̂)); dweight += Σ_rows dout·x̂ and dbias += Σ_rows dout (accumulated, either
     * may be null). {@code weight} null means weight = 1.
     */
    public static void layerNormBackward(float[] dout, float[] x, float[] weight, float[] mean, float[] rstd,
                                         float[] dx, float[] dweight, float[] dbias, int rows, int d) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float mu = mean[r];
            float rs = rstd[r];
            float sg = 0;
            float sgx = 0;
            for (int i = 0; i < d; i++) {
                float g = dout[o + i] * (weight == null ? 1 : weight[i]);
                sg += g;
                sgx += g * (x[o + i] - mu) * rs;
            }
            for (int i = 0; i < d; i++) {
                float xhat = (x[o + i] - mu) * rs;
                if (dweight != null) {
                    dweight[i] += dout[o + i] * xhat;
                }
                if (dbias != null) {
                    dbias[i] += dout[o + i];
                }
                float g = dout[o + i] * (weight == null ? 1 : weight[i]);
                dx[o + i] = rs * (g - sg / d - xhat * sgx / d);
            }
        }
    }

    /** Softmax of each row of x [rows, n], computed as exp(x − max) / Σ so large logits cannot overflow. */
    public static void softmax(float[] x, float[] out, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, x[o + i]);
            }
            float sum = 0;
            for (int i = 0; i < n; i++) {
                out[o + i] = (float) Math.exp(x[o + i] - max);
                sum += out[o + i];
            }
            float inv = 1 / sum;
            for (int i = 0; i < n; i++) {
                out[o + i] *= inv;
            }
        }
    }

    /** Gradient of {@link #softmax} given its output y: dx = y·(dy − Σ dy·y) per row. */
    public static void softmaxBackward(float[] dy, float[] y, float[] dx, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float s = dot(dy, o, y, o, n);
            for (int i = 0; i < n; i++) {
                dx[o + i] = y[o + i] * (dy[o + i] - s);
            }
        }
    }

    // √(2/π) and 0.044715·√(2/π): GELU's tanh approximation (Hendrycks & Gimpel 2016) as GPT-2 computes it.
    static final float GELU_A = 0.7978845608028654f;
    static final float GELU_B = 0.044715f * GELU_A;
    // e^80 ≈ 5.5e34 still fits a float, so e·s below stays finite (≈ 1) instead of ∞·0 deep in the negative tail.
    static final float GELU_MIN_V = -80f;

    /** GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static void gelu(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = gelu(x[i]);
        }
    }

    /** Gradient of {@link #gelu}: dx = dout·gelu'(x). */
    public static void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = dout[i] * geluSlope(x[i]);
        }
    }

    /**
     * gelu(x) = x·σ(v) with v = 2·√(2/π)·(x + 0.044715·x³), the same function as 0.5·x·(1 + tanh(v/2)) since
     * 0.5·(1 + tanh(u)) = σ(2u); written with σ because 1 + tanh(u) loses every digit where tanh(u) ≈ −1.
     */
    static float gelu(float x) {
        float v = Math.max(GELU_MIN_V, 2 * x * (GELU_A + GELU_B * x * x));
        return x / (1 + (float) Math.exp(-v));
    }

    /** gelu'(x) = σ(v)·(1 + x·v'·(1 − σ(v))) with v' = 2·√(2/π)·(1 + 3·0.044715·x²) and 1 − σ(v) = e^(−v)·σ(v). */
    static float geluSlope(float x) {
        float v = Math.max(GELU_MIN_V, 2 * x * (GELU_A + GELU_B * x * x));
        float e = (float) Math.exp(-v);
        float s = 1 / (1 + e);
        return s * (1 + x * 2 * (GELU_A + 3 * GELU_B * x * x) * e * s);
    }

    /** Squared ReLU (Primer, So et al. 2021; used by nanochat's MLP): out = max(x, 0)². */
    public static void reluSquared(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float r = Math.max(x[i], 0);
            out[i] = r * r;
        }
    }

    /** Gradient of {@link #reluSquared}: dx = dout·2·max(x, 0). */
    public static void reluSquaredBackward(float[] dout, float[] x, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = dout[i] * 2 * Math.max(x[i], 0);
        }
    }

    /** Logit soft-capping (Gemma 2, nanochat): out = cap·tanh(x/cap), smooth and bounded by ±cap. */
    public static void softcap(float[] x, float[] out, int n, float cap) {
        for (int i = 0; i < n; i++) {
            out[i] = cap * (float) Math.tanh(x[i] / cap);
        }
    }

    /** Gradient of {@link #softcap} from its output y: dx = dout·(1 − (y/cap)²). */
    public static void softcapBackward(float[] dout, float[] y, float[] dx, int n, float cap) {
        for (int i = 0; i < n; i++) {
            float t = y[i] / cap;
            dx[i] = dout[i] * (1 - t * t);
        }
    }

    /**
     * The k largest values of each row of x [rows, n] and their column indices, written to values and indices
     * [rows, k] sorted descending; equal values keep the lower index first. Values must not be NaN.
     *
     * @throws IllegalArgumentException if k is not in [0, n]
     */
    public static void topK(float[] x, int rows, int n, int k, int[] indices, float[] values) {
        TopK.checkK(n, k);
        for (int r = 0; r < rows && k > 0; r++) {
            int base = r * k;
            int count = 0;
            for (int i = 0; i < n; i++) {
                float v = x[r * n + i];
                if (count < k || v > values[base + k - 1]) {
                    // Insertion into the sorted list; equal values already held have lower indices and stay ahead.
                    int p = Math.min(count, k - 1);
                    for (; p > 0 && values[base + p - 1] < v; p--) {
                        values[base + p] = values[base + p - 1];
                        indices[base + p] = indices[base + p - 1];
                    }
                    values[base + p] = v;
                    indices[base + p] = i;
                    count = Math.min(count + 1, k);
                }
            }
        }
    }

    /**
     * The k largest of each row of pre = a·bᵀ + bias (a [rows, K], b [n, K], bias [n] or null) into indices and
     * values [rows, k], sorted descending, equal values with the lower column first; when gatherCount &gt; 0 also
     * gathered[r·gatherCount + j] = pre[r, gather[j]] for the ascending columns gather[0, gatherCount).
     *
     * @throws IllegalArgumentException if k is not in [0, n], an array is too small or gather is not ascending in
     *                                  [0, n)
     */
    public static void encodeTopK(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k,
                                  int[] indices, float[] values, int[] gather, int gatherCount, float[] gathered) {
        EncoderTopK.checkArguments(a, b, bias, rows, kDim, n, k, indices, values, gather, gatherCount, gathered);
        float[] pre = new float[Math.multiplyExact(rows, n)];
        matmul(a, 0, b, 0, pre, 0, rows, kDim, n, false, false, true);
        addRowBiasAndGather(pre, rows, n, bias, gather, gatherCount, gathered);
        topK(pre, rows, n, k, indices, values);
    }

    /** pre[r, :] += bias (unless null), then gathered[r·gatherCount + j] = pre[r, gather[j]]. */
    static void addRowBiasAndGather(float[] pre, int rows, int n, float[] bias, int[] gather, int gatherCount,
                                    float[] gathered) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; bias != null && c < n; c++) {
                pre[r * n + c] += bias[c];
            }
            for (int j = 0; j < gatherCount; j++) {
                gathered[r * gatherCount + j] = pre[r * n + gather[j]];
            }
        }
    }

    /**
     * SAE decode from sparse rows: out[r, :] (+)= Σ_j val[r·k+j]·w[idx[r·k+j], :], with w [m, d] and out
     * [rows, d] overwritten unless {@code accumulate}. Repeated indices in a row add up.
     */
    public static void sparseDecode(int[] idx, float[] val, int rows, int k, float[] w, int d, float[] out,
                                    boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            if (!accumulate) {
                Arrays.fill(out, r * d, r * d + d, 0f);
            }
            for (int j = 0; j < k; j++) {
                int row = idx[r * k + j] * d;
                float v = val[r * k + j];
                for (int c = 0; c < d; c++) {
                    out[r * d + c] += v * w[row + c];
                }
            }
        }
    }

    /**
     * The transposed sparse product (gradient of {@link #sparseDecode} to w): dw[idx[r·k+j], :] +=
     * val[r·k+j]·g[r, :] for every pair, with g [rows, d] and dw [m, d]; rows of dw not named stay untouched.
     *
     * @throws IllegalArgumentException if an index is outside [0, m)
     */
    public static void sparseAccumulateTransposed(int[] idx, float[] val, int rows, int k, float[] g, int d,
                                                  float[] dw, int m) {
        SparseRows.checkIndices(idx, rows * k, m);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                int row = idx[r * k + j] * d;
                float v = val[r * k + j];
                for (int c = 0; c < d; c++) {
                    dw[row + c] += v * g[r * d + c];
                }
            }
        }
    }
}
