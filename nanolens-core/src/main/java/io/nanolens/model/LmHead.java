package io.nanolens.model;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Parallel;

import java.util.Arrays;

/**
 * The end of the nanochat v1 forward pass, forward and backward side by side: final RMSNorm, logits = lnf·Wᵀ
 * through lm_head [V, d], soft-capped as 15·tanh(z / 15), and the mean cross-entropy over the rows whose target is
 * not negative (PyTorch's ignore_index). Rows run in parallel. Shapes as in {@link GptState}.
 */
final class LmHead {
    /** nanochat's logit soft cap: logits stay within (−15, 15). */
    static final float SOFTCAP = 15f;
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
        Parallel.forRange(n * vocab, GRAIN * vocab, (from, to) -> {
            for (int i = from; i < to; i++) {
                s.logits[i] = SOFTCAP * (float) Math.tanh(s.logits[i] / SOFTCAP);
            }
        });
    }

    /** Mean cross-entropy over the rows with a target ≥ 0; NaN when every target is ignored. */
    float loss(GptState s) {
        Parallel.forRange(s.rows, GRAIN, (from, to) -> {
            for (int r = from; r < to; r++) {
                s.rowLoss[r] = s.targets[r] < 0 ? Float.NaN
                        : (float) (logSumExp(s.logits, r * vocab) - s.logits[r * vocab + s.targets[r]]);
            }
        });
        double sum = 0;
        int count = 0;
        for (int r = 0; r < s.rows; r++) {
            if (s.targets[r] >= 0) {
                sum += s.rowLoss[r];
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
        double lse = logSumExp(s.logits, off);
        for (int j = 0; j < vocab; j++) {
            float y = s.logits[off + j];
            float p = (float) Math.exp(y - lse);
            float dy = (p - (j == target ? 1f : 0f)) * perRow;
            float c = y / SOFTCAP;
            s.dLogits[off + j] = dy * (1 - c * c);
        }
    }

    private double logSumExp(float[] x, int off) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            max = Math.max(max, x[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < vocab; j++) {
            sum += Math.exp(x[off + j] - max);
        }
        return max + Math.log(sum);
    }
}
