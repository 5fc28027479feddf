package io.nanolens.model;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Causal self-attention of one nanochat v1 block, forward and backward side by side: q = ln·Wqᵀ, k = ln·Wkᵀ,
 * v = ln·Wvᵀ; rotary on q and k, then parameter-free RMSNorm per head (QK norm); softmax(q·kᵀ/√hd) over earlier
 * positions; heads concatenated and projected by c_proj. Grouped-query: query head h reads key/value head
 * h / (H / Hkv). The core runs row by row over (sequence, head) pairs in parallel; scores are never a full T×T
 * product, so the causal half is all that is computed. Shapes as in {@link GptState}.
 */
final class Attention {
    private static final VectorSpecies<Float> F = Simd.F;

    /**
     * One block's attention weights in nn.Linear layout [out, in].
     *
     * @param q    c_q [H·hd, d]
     * @param k    c_k [kv, d]
     * @param v    c_v [kv, d]
     * @param proj c_proj [d, d]
     */
    record Weights(float[] q, float[] k, float[] v, float[] proj) {
    }

    private final int d;
    private final int heads;
    private final int kvHeads;
    private final int hd;
    private final int kv;
    private final int group;
    private final float scale;        // 1/√hd, SDPA's default
    private final Rotary rotary;

    Attention(GptConfig config, Rotary rotary) {
        d = config.nEmbd();
        heads = config.nHead();
        kvHeads = config.nKvHead();
        hd = config.headDim();
        kv = config.kvDim();
        group = config.groupSize();
        scale = (float) (1 / Math.sqrt(hd));
        this.rotary = rotary;
    }

    /** resid[l] → attOut; with a cache, the chunk's keys and values are appended and attention reads them all. */
    void forward(Weights w, GptState s, int l, KvCache cache) {
        int n = s.rows;
        RmsNorm.forward(s.resid[l], s.ln1[l], s.rstd1[l], n, d);
        Matmul.abT(s.ln1[l], w.q(), s.qRot[l], n, d, d, false);
        Matmul.abT(s.ln1[l], w.k(), s.kRot[l], n, d, kv, false);
        Matmul.abT(s.ln1[l], w.v(), s.v[l], n, d, kv, false);
        rotary.forward(s.qRot[l], n, heads, s.t, s.start);
        rotary.forward(s.kRot[l], n, kvHeads, s.t, s.start);
        RmsNorm.forward(s.qRot[l], s.q[l], s.rstdQ[l], n * heads, hd);
        RmsNorm.forward(s.kRot[l], s.k[l], s.rstdK[l], n * kvHeads, hd);
        float[] keys = s.k[l];
        float[] values = s.v[l];
        if (cache != null) {
            cache.store(l, s.k[l], s.v[l], n);
            keys = cache.keys(l);
            values = cache.values(l);
        }
        float[] k = keys;
        float[] v = values;
        Parallel.forEach(s.b * heads, (task, worker) -> head(s, l, task / heads, task % heads, k, v, worker));
        Matmul.abT(s.attY[l], w.proj(), s.attOut, n, d, d, false);
    }

    /**
     * Backward from dResid = ∂loss/∂resid_mid[l]: accumulates the weight gradients into {@code g} and adds the
     * gradient through the attention branch to dResid, which becomes ∂loss/∂resid[l].
     */
    void backward(Weights w, Weights g, GptState s, int l) {
        int n = s.rows;
        Matmul.aTb(s.dResid, s.attY[l], g.proj(), d, n, d, true);
        Matmul.ab(s.dResid, w.proj(), s.dAttY, n, d, d, false);
        Parallel.forEach(s.b * kvHeads, (task, worker) -> headsBackward(s, l, task / kvHeads, task % kvHeads, worker));
        RmsNorm.backward(s.dq, s.qRot[l], s.rstdQ[l], s.dq, n * heads, hd);
        RmsNorm.backward(s.dk, s.kRot[l], s.rstdK[l], s.dk, n * kvHeads, hd);
        rotary.backward(s.dq, n, heads, s.t, s.start);
        rotary.backward(s.dk, n, kvHeads, s.t, s.start);
        Matmul.aTb(s.dq, s.ln1[l], g.q(), d, n, d, true);
        Matmul.aTb(s.dk, s.ln1[l], g.k(), kv, n, d, true);
        Matmul.aTb(s.dv, s.ln1[l], g.v(), kv, n, d, true);
        Matmul.ab(s.dq, w.q(), s.dLn, n, d, d, false);
        Matmul.ab(s.dk, w.k(), s.dLn, n, kv, d, true);
        Matmul.ab(s.dv, w.v(), s.dLn, n, kv, d, true);
        RmsNorm.backward(s.dLn, s.resid[l], s.rstd1[l], s.dLn, n, d);
        add(s.dResid, s.dLn, n * d);
    }

    /** Head h of sequence b: each query row attends to keys 0..start+i, written into attY. */
    private void head(GptState s, int l, int b, int h, float[] keys, float[] values, int worker) {
        int g = h / group;
        boolean keep = s.att != null;
        for (int i = 0; i < s.t; i++) {
            int row = b * s.t + i;
            int len = s.start + i + 1;
            float[] p = keep ? s.att[l] : s.scratch[worker];
            int pOff = keep ? ((b * heads + h) * s.t + i) * s.t : 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                float score = scale * dot(s.q[l], row * d + h * hd, keys, (b * s.t + j) * kv + g * hd, hd);
                p[pOff + j] = score;
                max = Math.max(max, score);
            }
            float sum = 0;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(p[pOff + j] - max);
                p[pOff + j] = e;
                sum += e;
            }
            int yOff = row * d + h * hd;
            Arrays.fill(s.attY[l], yOff, yOff + hd, 0f);
            for (int j = 0; j < len; j++) {
                p[pOff + j] /= sum;
                axpy(p[pOff + j], values, (b * s.t + j) * kv + g * hd, s.attY[l], yOff, hd);
            }
        }
    }

    /** Key/value head g of sequence b and its query heads: dq, and dk, dv of that head (owned by this task). */
    private void headsBackward(GptState s, int l, int b, int g, int worker) {
        for (int j = 0; j < s.t; j++) {
            int off = (b * s.t + j) * kv + g * hd;
            Arrays.fill(s.dk, off, off + hd, 0f);
            Arrays.fill(s.dv, off, off + hd, 0f);
        }
        float[] dp = s.scratch[worker];
        for (int h = g * group; h < (g + 1) * group; h++) {
            for (int i = 0; i < s.t; i++) {
                int row = b * s.t + i;
                int qOff = row * d + h * hd;
                int pOff = ((b * heads + h) * s.t + i) * s.t;
                float[] p = s.att[l];
                float weighted = 0;
                for (int j = 0; j <= i; j++) {
                    dp[j] = dot(s.dAttY, qOff, s.v[l], (b * s.t + j) * kv + g * hd, hd);
                    weighted += p[pOff + j] * dp[j];
                }
                Arrays.fill(s.dq, qOff, qOff + hd, 0f);
                for (int j = 0; j <= i; j++) {
                    int kOff = (b * s.t + j) * kv + g * hd;
                    float ds = scale * p[pOff + j] * (dp[j] - weighted);
                    axpy(ds, s.k[l], kOff, s.dq, qOff, hd);
                    axpy(ds, s.q[l], qOff, s.dk, kOff, hd);
                    axpy(p[pOff + j], s.dAttY, qOff, s.dv, kOff, hd);
                }
            }
        }
    }

    /** Σ a[aOff + i]·b[bOff + i] for i < n. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0;
        if (Simd.enabled()) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff + i] += alpha·x[xOff + i] for i < n. */
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (Simd.enabled()) {
            FloatVector a = FloatVector.broadcast(F, alpha);
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    private static void add(float[] acc, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += x[i];
        }
    }
}
