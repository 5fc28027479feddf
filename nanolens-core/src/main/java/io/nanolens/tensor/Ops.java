package io.nanolens.tensor;

/**
 * The entry point for every non-matmul kernel: each method runs the Vector API version ({@link VectorKernels},
 * {@link VectorNorms}, {@link TopK}, {@link SparseRows}) when {@link Simd#enabled()}, else its scalar twin in
 * {@link Kernels}, with the same signature and the same meaning (documented on the twins). Models, SAEs and
 * trainers call these; tests call both sides directly. Unless a method says otherwise an output may be the same
 * array as an input; matrices are row-major, {@code rows}×{@code d} (or ×{@code n}).
 */
public final class Ops {
    private static final boolean VECTOR = Simd.enabled();

    private Ops() {
    }

    /** out[i] = x[i] + y[i] for i < n. */
    public static void add(float[] x, float[] y, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.add(x, y, out, n);
        } else {
            Kernels.add(x, y, out, n);
        }
    }

    /** out[i] = x[i]·y[i] for i < n. */
    public static void mul(float[] x, float[] y, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.mul(x, y, out, n);
        } else {
            Kernels.mul(x, y, out, n);
        }
    }

    /** out[i] = s·x[i] for i < n. */
    public static void scale(float[] x, float s, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.scale(x, s, out, n);
        } else {
            Kernels.scale(x, s, out, n);
        }
    }

    /** y[i] += a·x[i] for i < n. */
    public static void axpy(float a, float[] x, float[] y, int n) {
        if (VECTOR) {
            VectorKernels.axpy(a, x, y, n);
        } else {
            Kernels.axpy(a, x, y, n);
        }
    }

    /** Σ a[aOff+i]·b[bOff+i] over i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VECTOR ? VectorKernels.dot(a, aOff, b, bOff, n) : Kernels.dot(a, aOff, b, bOff, n);
    }

    /** Σ x[off+i]² over i < n. */
    public static float sumSquares(float[] x, int off, int n) {
        return VECTOR ? VectorKernels.sumSquares(x, off, n) : Kernels.sumSquares(x, off, n);
    }

    /** RMSNorm of each row of x [rows, d]; rstd [rows] is saved for the backward pass; weight [d] may be null. */
    public static void rmsNorm(float[] x, float[] weight, float[] out, float[] rstd, int rows, int d, float eps) {
        if (VECTOR) {
            VectorNorms.rmsNorm(x, weight, out, rstd, rows, d, eps);
        } else {
            Kernels.rmsNorm(x, weight, out, rstd, rows, d, eps);
        }
    }

    /** Gradient of {@link #rmsNorm}: dx overwritten, dweight (may be null) accumulated. */
    public static void rmsNormBackward(float[] dout, float[] x, float[] weight, float[] rstd, float[] dx,
                                       float[] dweight, int rows, int d) {
        if (VECTOR) {
            VectorNorms.rmsNormBackward(dout, x, weight, rstd, dx, dweight, rows, d);
        } else {
            Kernels.rmsNormBackward(dout, x, weight, rstd, dx, dweight, rows, d);
        }
    }

    /** LayerNorm of each row of x [rows, d]; mean and rstd [rows] saved; weight and bias [d] may be null. */
    public static void layerNorm(float[] x, float[] weight, float[] bias, float[] out, float[] mean, float[] rstd,
                                 int rows, int d, float eps) {
        if (VECTOR) {
            VectorNorms.layerNorm(x, weight, bias, out, mean, rstd, rows, d, eps);
        } else {
            Kernels.layerNorm(x, weight, bias, out, mean, rstd, rows, d, eps);
        }
    }

    /** Gradient of {@link #layerNorm}: dx overwritten, dweight and dbias (may be null) accumulated. */
    public static void layerNormBackward(float[] dout, float[] x, float[] weight, float[] mean, float[] rstd,
                                         float[] dx, float[] dweight, float[] dbias, int rows, int d) {
        if (VECTOR) {
            VectorNorms.layerNormBackward(dout, x, weight, mean, rstd, dx, dweight, dbias, rows, d);
        } else {
            Kernels.layerNormBackward(dout, x, weight, mean, rstd, dx, dweight, dbias, rows, d);
        }
    }

    /** Numerically stable softmax of each row of x [rows, n]. */
    public static void softmax(float[] x, float[] out, int rows, int n) {
        if (VECTOR) {
            VectorKernels.softmax(x, out, rows, n);
        } else {
            Kernels.softmax(x, out, rows, n);
        }
    }

    /** Gradient of {@link #softmax} given its output y. */
    public static void softmaxBackward(float[] dy, float[] y, float[] dx, int rows, int n) {
        if (VECTOR) {
            VectorKernels.softmaxBackward(dy, y, dx, rows, n);
        } else {
            Kernels.softmaxBackward(dy, y, dx, rows, n);
        }
    }

    /** GELU, tanh approximation as in GPT-2. */
    public static void gelu(float[] x, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.gelu(x, out, n);
        } else {
            Kernels.gelu(x, out, n);
        }
    }

    /** Gradient of {@link #gelu}. */
    public static void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        if (VECTOR) {
            VectorKernels.geluBackward(dout, x, dx, n);
        } else {
            Kernels.geluBackward(dout, x, dx, n);
        }
    }

    /** Squared ReLU: out = max(x, 0)². */
    public static void reluSquared(float[] x, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.reluSquared(x, out, n);
        } else {
            Kernels.reluSquared(x, out, n);
        }
    }

    /** Gradient of {@link #reluSquared}. */
    public static void reluSquaredBackward(float[] dout, float[] x, float[] dx, int n) {
        if (VECTOR) {
            VectorKernels.reluSquaredBackward(dout, x, dx, n);
        } else {
            Kernels.reluSquaredBackward(dout, x, dx, n);
        }
    }

    /** Logit soft-capping: out = cap·tanh(x/cap). */
    public static void softcap(float[] x, float[] out, int n, float cap) {
        if (VECTOR) {
            VectorKernels.softcap(x, out, n, cap);
        } else {
            Kernels.softcap(x, out, n, cap);
        }
    }

    /** Gradient of {@link #softcap} from its output y. */
    public static void softcapBackward(float[] dout, float[] y, float[] dx, int n, float cap) {
        if (VECTOR) {
            VectorKernels.softcapBackward(dout, y, dx, n, cap);
        } else {
            Kernels.softcapBackward(dout, y, dx, n, cap);
        }
    }

    /**
     * The k largest values per row of x [rows, n] with their indices, [rows, k] sorted descending, ties to the
     * lower index.
     *
     * @throws IllegalArgumentException if k is not in [0, n]
     */
    public static void topK(float[] x, int rows, int n, int k, int[] indices, float[] values) {
        if (VECTOR) {
            TopK.topK(x, rows, n, k, indices, values);
        } else {
            Kernels.topK(x, rows, n, k, indices, values);
        }
    }

    /**
     * The encoder of a TopK SAE: the k largest of each row of pre = a·bᵀ + bias (a [rows, K], b [n, K], bias [n]
     * or null) into indices and values [rows, k], sorted descending, ties to the lower column, without storing
     * pre; when gatherCount &gt; 0 also gathered[r·gatherCount + j] = pre[r, gather[j]] (gather ascending).
     *
     * @throws IllegalArgumentException if k is not in [0, n], an array is too small or gather is not ascending
     */
    public static void encodeTopK(float[] a, float[] b, float[] bias, int rows, int kDim, int n, int k,
                                  int[] indices, float[] values, int[] gather, int gatherCount, float[] gathered) {
        if (VECTOR) {
            EncoderTopK.encodeTopK(a, b, bias, rows, kDim, n, k, indices, values, gather, gatherCount, gathered);
        } else {
            Kernels.encodeTopK(a, b, bias, rows, kDim, n, k, indices, values, gather, gatherCount, gathered);
        }
    }

    /** out[r, :] (+)= Σ_j val[r·k+j]·w[idx[r·k+j], :] with w [m, d] and out [rows, d]. */
    public static void sparseDecode(int[] idx, float[] val, int rows, int k, float[] w, int d, float[] out,
                                    boolean accumulate) {
        if (VECTOR) {
            SparseRows.sparseDecode(idx, val, rows, k, w, d, out, accumulate);
        } else {
            Kernels.sparseDecode(idx, val, rows, k, w, d, out, accumulate);
        }
    }

    /**
     * dw[idx[r·k+j], :] += val[r·k+j]·g[r, :] with g [rows, d] and dw [m, d], touching only the rows named.
     *
     * @throws IllegalArgumentException if an index is outside [0, m)
     */
    public static void sparseAccumulateTransposed(int[] idx, float[] val, int rows, int k, float[] g, int d,
                                                  float[] dw, int m) {
        if (VECTOR) {
            SparseRows.sparseAccumulateTransposed(idx, val, rows, k, g, d, dw, m);
        } else {
            Kernels.sparseAccumulateTransposed(idx, val, rows, k, g, d, dw, m);
        }
    }
}
