package io.nanolens.model;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Simd;
import io.nanolens.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Causal self-attention of one nanochat v1 block, forward and backward side by side: q = ln·Wqᵀ, k = ln·Wkᵀ,
 * v = ln·Wvᵀ; rotary on q and k, then parameter-free RMSNorm per head (QK norm); softmax(q·kᵀ/√hd) over earlier
 * positions; heads concatenated and projected by c_proj. Grouped-query: query head h reads key/value head
 * h / (H / Hkv). The core runs over (sequence, head) pairs in parallel, one query row at a time against that head's
 * keys and values transposed to [hd, positions], so every step is a vector operation over key positions and only
 * the causal half of the scores is computed. GPT-2's attention ({@link Gpt2Layers}) reuses that core,
 * {@link #attend}. Shapes as in {@link GptState}.
 */
final class Attention {
    private static final VectorSpecies<Float> F = Simd.F;
    // Below this many multiply-adds (a decoding step: one query over a few hundred keys) handing heads to the
    // other core costs more than it saves, and leaves that core free for feature tracking.
    private static final long PARALLEL_WORK = 1 << 16;
    private static final int K_T = 0;     // worker-scratch slots, see slot()
    private static final int V_T = 1;
    private static final int DK_T = 2;
    private static final int DV_T = 3;
    private static final int ROWS = 4;

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
    private final Rotary rotary;      // null for GPT-2, which only calls attend

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
        attend(s, l, cache);
        Matmul.abT(s.attY[l], w.proj(), s.attOut, n, d, d, false);
    }

    /**
     * The core both families share: q[l], k[l], v[l] → attY[l], causal softmax(q·kᵀ/√hd)·v per head; with a cache,
     * the chunk's keys and values are appended first and attention reads every cached position.
     */
    void attend(GptState s, int l, KvCache cache) {
        if (cache != null) {
            cache.store(l, s.k[l], s.v[l], s.rows);
        }
        float[] k = cache == null ? s.k[l] : cache.keys(l);
        float[] v = cache == null ? s.v[l] : cache.values(l);
        Parallel.Task task = (t, worker) -> head(s, l, t / heads, t % heads, k, v, worker);
        long work = (long) s.b * heads * s.t * (s.start + s.t) * hd;
        if (work < PARALLEL_WORK) {
            for (int t = 0; t < s.b * heads; t++) {
                task.run(t, 0);
            }
        } else {
            Parallel.forEach(s.b * heads, task);
        }
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
        Ops.add(s.dResid, s.dLn, s.dResid, n * d);
    }

    /**
     * Head h of sequence b: each query row i attends to keys 0..start+i, written into attY. Keys and values are first
     * transposed to [hd, keys] so that scores and outputs are long vector operations over key positions.
     */
    private void head(GptState s, int l, int b, int h, float[] keys, float[] values, int worker) {
        float[] w = s.scratch[worker];
        int stride = s.time;
        int g = h / group;
        int keyCount = s.start + s.t;
        if (s.t == 1 && s.att == null) {
            oneQuery(s, l, b, h, keys, values, w, slot(ROWS, stride), b * s.t * kv + g * hd, keyCount);
            return;
        }
        transpose(keys, b * s.t * kv + g * hd, keyCount, w, slot(K_T, stride), stride);
        transpose(values, b * s.t * kv + g * hd, keyCount, w, slot(V_T, stride), stride);
        boolean keep = s.att != null;
        for (int i = 0; i < s.t; i++) {
            int row = b * s.t + i;
            int len = s.start + i + 1;
            float[] p = keep ? s.att[l] : w;
            int pOff = keep ? ((b * heads + h) * s.t + i) * s.t : slot(ROWS, stride);
            Arrays.fill(p, pOff, pOff + len, 0f);
            for (int c = 0; c < hd; c++) {
                axpy(scale * s.q[l][row * d + h * hd + c], w, slot(K_T, stride) + c * stride, p, pOff, len);
            }
            softmax(p, pOff, len);
            for (int c = 0; c < hd; c++) {
                s.attY[l][row * d + h * hd + c] = Ops.dot(p, pOff, w, slot(V_T, stride) + c * stride, len);
            }
        }
    }

    /**
     * Key/value head g of sequence b and its query heads: dq of those heads, and dk, dv of head g (owned by this
     * task, accumulated transposed as [hd, T] and written back at the end).
     */
    private void headsBackward(GptState s, int l, int b, int g, int worker) {
        float[] w = s.scratch[worker];
        int stride = s.time;
        transpose(s.k[l], b * s.t * kv + g * hd, s.t, w, slot(K_T, stride), stride);
        transpose(s.v[l], b * s.t * kv + g * hd, s.t, w, slot(V_T, stride), stride);
        Arrays.fill(w, slot(DK_T, stride), slot(DK_T, stride) + 2 * hd * stride, 0f);
        for (int h = g * group; h < (g + 1) * group; h++) {
            for (int i = 0; i < s.t; i++) {
                rowBackward(s, l, b, h, i, w, stride);
            }
        }
        untranspose(w, slot(DK_T, stride), stride, s.t, s.dk, b * s.t * kv + g * hd);
        untranspose(w, slot(DV_T, stride), stride, s.t, s.dv, b * s.t * kv + g * hd);
    }

    /** Query row i of head h: dp = dy·vᵀ, ds through the softmax, then dq, and dkᵀ, dvᵀ accumulated. */
    private void rowBackward(GptState s, int l, int b, int h, int i, float[] w, int stride) {
        int row = b * s.t + i;
        int len = i + 1;
        int qOff = row * d + h * hd;
        float[] p = s.att[l];
        int pOff = ((b * heads + h) * s.t + i) * s.t;
        int dp = slot(ROWS, stride);
        int ds = slot(ROWS, stride) + stride;
        Arrays.fill(w, dp, dp + len, 0f);
        for (int c = 0; c < hd; c++) {
            axpy(s.dAttY[qOff + c], w, slot(V_T, stride) + c * stride, w, dp, len);
        }
        float weighted = Ops.dot(p, pOff, w, dp, len);
        for (int j = 0; j < len; j++) {
            w[ds + j] = scale * p[pOff + j] * (w[dp + j] - weighted);
        }
        for (int c = 0; c < hd; c++) {
            s.dq[qOff + c] = Ops.dot(w, ds, w, slot(K_T, stride) + c * stride, len);
            axpy(s.q[l][qOff + c], w, ds, w, slot(DK_T, stride) + c * stride, len);
            axpy(s.dAttY[qOff + c], p, pOff, w, slot(DV_T, stride) + c * stride, len);
        }
    }

    /**
     * Offset of a worker-scratch slot ({@link GptState#scratch}): slots 0..3 hold kᵀ, vᵀ, dkᵀ, dvᵀ [hd, T]; slot 4
     * starts the two rows [T].
     */
    private int slot(int index, int stride) {
        return index * hd * stride;
    }

    /**
     * Head h for a single query row (a KV-cached decoding step) over its {@code keyCount} keys, read in place: a
     * dot product per key and an axpy per value, each over the head's hd contiguous channels. Transposing the
     * whole cache for one row, as {@link #head} does for many, cost more than the attention itself.
     */
    private void oneQuery(GptState s, int l, int b, int h, float[] keys, float[] values, float[] p, int pOff,
                          int kvOff, int keyCount) {
        int qOff = b * d + h * hd;
        for (int j = 0; j < keyCount; j++) {
            p[pOff + j] = scale * Ops.dot(s.q[l], qOff, keys, kvOff + j * kv, hd);
        }
        softmax(p, pOff, keyCount);
        Arrays.fill(s.attY[l], qOff, qOff + hd, 0f);
        for (int j = 0; j < keyCount; j++) {
            axpy(p[pOff + j], values, kvOff + j * kv, s.attY[l], qOff, hd);
        }
    }

    /** dst[dstOff + c·stride + j] = src[srcOff + j·kv + c] for j < count, c < hd. */
    private void transpose(float[] src, int srcOff, int count, float[] dst, int dstOff, int stride) {
        for (int j = 0; j < count; j++) {
            for (int c = 0; c < hd; c++) {
                dst[dstOff + c * stride + j] = src[srcOff + j * kv + c];
            }
        }
    }

    /** dst[dstOff + j·kv + c] = src[srcOff + c·stride + j] for j < count, c < hd. */
    private void untranspose(float[] src, int srcOff, int stride, int count, float[] dst, int dstOff) {
        for (int j = 0; j < count; j++) {
            for (int c = 0; c < hd; c++) {
                dst[dstOff + j * kv + c] = src[srcOff + c * stride + j];
            }
        }
    }

    /** Softmax in place over x[off .. off + n) (Ops.softmax takes whole rows from offset 0; this takes a slice). */
    private static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[off + j]);
        }
        float sum = 0;
        int j = 0;
        if (Simd.enabled()) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); j < bound; j += F.length()) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + j).sub(max));
                e.intoArray(x, off + j);
                acc = acc.add(e);
            }
            sum = VectorMath.sum(acc);
        }
        for (; j < n; j++) {
            x[off + j] = (float) Math.exp(x[off + j] - max);
            sum += x[off + j];
        }
        float inv = 1 / sum;
        for (j = 0; j < n; j++) {
            x[off + j] *= inv;
        }
    }

    /** y[yOff + i] += alpha·x[xOff + i] for i < n (Ops.axpy works on whole arrays; this one on slices). */
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
}
