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
 * The end of the nanochat v1 forward pass, forward and backward side by side: final RMSNorm, logits = lnf·Wᵀ
 * through lm_head [V, d], soft-capped as 15·tanh(z / 15), and the mean cross-entropy over the rows whose target is
 * not negative (PyTorch's ignore_index). Rows run in parallel. Shapes as in {@link GptState}.
 */
final class LmHead {
    /** nanochat's logit soft cap: logits stay within (−15, 15). */
    static final float SOFTCAP = 15f;
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int GRAIN = 8;   // rows per parallel chunk; a row is V exps, enough to amortise a task

    private final int d;
    private final int vocab;
    private final int layers;

    LmHead(GptConfig config) {
        d = config.nEmbd();
        vocab = config.vocabSize();
        layers = config.nLayer();
    }

    /** resid[L] → lnf → logits, soft-capped. */
    void forward(float[] w, GptState s) {
        int n = s.rows;
        RmsNorm.forward(s.resid[layers], s.lnf, s.rstdF, n, d);
        Matmul.abT(s.lnf, w, s.logits, n, d, vocab, false);
        Ops.softcap(s.logits, s.logits, n * vocab, SOFTCAP);
    }

    /** Mean cross-entropy over the rows with a target ≥ 0 (NaN when every target is ignored); keeps rowLse. */
    float loss(GptState s) {
        Parallel.forRange(s.rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                s.rowLse[r] = s.targets[r] < 0 ? Float.NaN : logSumExp(s.logits, r * vocab);
            }
        });
        double sum = 0;
        int count = 0;
        for (int r = 0; r < s.rows; r++) {
            if (s.targets[r] >= 0) {
                sum += s.rowLse[r] - s.logits[r * vocab + s.targets[r]];
                count++;
            }
        }
        return count == 0 ? Float.NaN : (float) (sum / count);
    }

    /** ∂loss/∂logits through softmax and the soft cap, then into lm_head's gradient {@code g} and dResid. */
    void backward(float[] w, float[] g, GptState s) {
        int n = s.rows;
        int count = 0;
        for (int r = 0; r < n; r++) {
            count += s.targets[r] >= 0 ? 1 : 0;
        }
        float perRow = count == 0 ? 0f : 1f / count;
        Parallel.forRange(n, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                rowGradient(s, r, perRow);
            }
        });
        Matmul.aTb(s.dLogits, s.lnf, g, vocab, n, d, true);
        Matmul.ab(s.dLogits, w, s.dLn, n, vocab, d, false);
        RmsNorm.backward(s.dLn, s.resid[layers], s.rstdF, s.dResid, n, d);
    }

    /** dz_j = (softmax_j − [j = target]) / count · (1 − (y_j / cap)²), zero for an ignored row. */
    private void rowGradient(GptState s, int r, float perRow) {
        int off = r * vocab;
        int target = s.targets[r];
        if (target < 0) {
            Arrays.fill(s.dLogits, off, off + vocab, 0f);
            return;
        }
        float lse = s.rowLse[r];
        int j = 0;
        if (Simd.enabled()) {
            FloatVector one = FloatVector.broadcast(F, 1f);
            for (int bound = F.loopBound(vocab); j < bound; j += F.length()) {
                FloatVector y = FloatVector.fromArray(F, s.logits, off + j);
                FloatVector c = y.div(SOFTCAP);
                VectorMath.exp(y.sub(lse)).mul(perRow).mul(one.sub(c.mul(c)))
                        .intoArray(s.dLogits, off + j);
            }
        }
        for (; j < vocab; j++) {
            float c = s.logits[off + j] / SOFTCAP;
            s.dLogits[off + j] = (float) Math.exp(s.logits[off + j] - lse) * perRow * (1 - c * c);
        }
        float c = s.logits[off + target] / SOFTCAP;
        s.dLogits[off + target] -= perRow * (1 - c * c);
    }

    /** log Σ exp over one row of V logits. */
    private float logSumExp(float[] x, int off) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            max = Math.max(max, x[off + j]);
        }
        float sum = 0;
        int j = 0;
        if (Simd.enabled()) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(vocab); j < bound; j += F.length()) {
                acc = acc.add(VectorMath.exp(FloatVector.fromArray(F, x, off + j).sub(max)));
            }
            sum = VectorMath.sum(acc);
        }
        for (; j < vocab; j++) {
            sum += (float) Math.exp(x[off + j] - max);
        }
        return max + (float) Math.log(sum);
    }
}
