package io.nanolens.analysis;

import io.nanolens.model.Gpt;
import io.nanolens.model.HookPoint;
import io.nanolens.tensor.TopK;

/**
 * What each feature's decoder direction does to the next-token logits: the direct path from the hook through the
 * final norm and the unembedding, effect = W_U · u with u the decoder row in the residual stream (SAEDashboard's
 * logit table, {@code W_dec[i] @ W_U}, FORMATS.md §2.3), computed by {@link Gpt#directLogits}. nanochat's final
 * RMSNorm has no learned weight, so it only rescales the whole residual by one positive number per token: it changes
 * neither the direction nor the ranking, and we treat it as the identity. The soft cap 15·tanh(z/15) is monotonic
 * and left out for the same reason. GPT-2's ln_f centres the direction and scales it by its weight first, as
 * TransformerLens folds it into W_U. A decoder row at {@code mlp.hook_post} (the MLP's hidden layer, 4d wide) first
 * goes through that block's {@code c_proj} ({@link Gpt#mlpOutput}) to reach the residual stream; every other hook
 * point is d wide and adds to the stream as it is.
 *
 * <p>Features are processed in blocks of {@value #BLOCK} rows (a [block, V] product at a time), so memory stays at
 * block · V floats whatever d_sae is. Per feature the top n tokens each way are kept: [m, n] ids and values.
 */
final class LogitEffects {
    private static final int BLOCK = 256;

    final int n;
    final int[] promotedIds;       // [m, n] strongest first
    final float[] promotedValues;  // [m, n]
    final int[] suppressedIds;     // [m, n] most negative first
    final float[] suppressedValues; // [m, n]

    private LogitEffects(int m, int n) {
        this.n = n;
        promotedIds = new int[m * n];
        promotedValues = new float[m * n];
        suppressedIds = new int[m * n];
        suppressedValues = new float[m * n];
    }

    /**
     * The logit effects of every decoder row.
     *
     * @param wDec [m, width] decoder rows at {@code hook}
     * @param n    tokens to keep each way, at most the vocabulary size
     */
    static LogitEffects compute(Gpt gpt, HookPoint hook, float[] wDec, int m, int n) {
        int d = gpt.config().nEmbd();
        int vocab = gpt.config().vocabSize();
        int width = hook.width(gpt.config());
        int keep = Math.min(n, vocab);
        boolean hidden = hook.kind() == HookPoint.Kind.MLP_POST;
        LogitEffects out = new LogitEffects(m, keep);
        float[] direction = new float[BLOCK * d];
        float[] logits = new float[BLOCK * vocab];
        int[] ids = new int[BLOCK * keep];
        float[] values = new float[BLOCK * keep];
        for (int start = 0; start < m; start += BLOCK) {
            int rows = Math.min(BLOCK, m - start);
            if (hidden) {
                gpt.mlpOutput(hook.layer(), wDec, start * width, rows, direction);
            } else {
                System.arraycopy(wDec, start * d, direction, 0, rows * d);
            }
            gpt.directLogits(direction, rows, logits);
            TopK.topK(logits, rows, vocab, keep, ids, values);
            System.arraycopy(ids, 0, out.promotedIds, start * keep, rows * keep);
            System.arraycopy(values, 0, out.promotedValues, start * keep, rows * keep);
            for (int i = 0; i < rows * vocab; i++) {
                logits[i] = -logits[i];
            }
            TopK.topK(logits, rows, vocab, keep, ids, values);
            for (int i = 0; i < rows * keep; i++) {
                values[i] = -values[i];
            }
            System.arraycopy(ids, 0, out.suppressedIds, start * keep, rows * keep);
            System.arraycopy(values, 0, out.suppressedValues, start * keep, rows * keep);
        }
        return out;
    }
}
