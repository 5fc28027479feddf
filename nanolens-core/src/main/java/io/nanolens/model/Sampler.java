package io.nanolens.model;

import io.nanolens.NanolensException;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Picks next tokens from logits, as nanochat's {@code sample_next_token}: temperature 0 is greedy (argmax, first
 * index on ties); otherwise keep the top-k logits (all if k is 0), softmax at the temperature and draw with a
 * seeded {@link SplittableRandom}, so a seed reproduces a generation. {@link #generate} decodes with a
 * {@link KvCache}. A sampler keeps its random state and scratch: one per thread.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;               // 0 = no limit
    private final SplittableRandom random;
    private float[] sorted = new float[0];   // [V] scratch for the top-k threshold

    /**
     * @param temperature ≥ 0; 0 = greedy
     * @param topK        ≥ 0; 0 = every token
     * @throws NanolensException if temperature or topK is negative or temperature is not finite
     */
    public Sampler(float temperature, int topK, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new NanolensException("temperature " + temperature + " must be a finite number ≥ 0 (0 = greedy)");
        }
        if (topK < 0) {
            throw new NanolensException("topK " + topK + " must be ≥ 0 (0 = no limit)");
        }
        this.temperature = temperature;
        this.topK = topK;
        this.random = new SplittableRandom(seed);
    }

    /** Always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(0f, 0, 0L);
    }

    /**
     * Picks a token from one row of logits.
     *
     * @param logits the row is {@code logits[offset .. offset + vocab)}
     */
    public int sample(float[] logits, int offset, int vocab) {
        if (temperature == 0f || topK == 1) {
            return argmax(logits, offset, vocab);
        }
        float threshold = Float.NEGATIVE_INFINITY;
        int ties = vocab;                 // how many logits equal to the threshold may still be kept
        if (topK > 0 && topK < vocab) {
            threshold = kthLargest(logits, offset, vocab);
            int above = 0;
            for (int j = 0; j < vocab; j++) {
                above += logits[offset + j] > threshold ? 1 : 0;
            }
            ties = topK - above;
        }
        float max = logits[offset + argmax(logits, offset, vocab)];
        double total = 0;
        int tiesLeft = ties;
        for (int j = 0; j < vocab; j++) {
            float x = logits[offset + j];
            if (x > threshold || (x == threshold && tiesLeft-- > 0)) {
                total += Math.exp((x - max) / temperature);
            }
        }
        return draw(logits, offset, vocab, threshold, ties, max, random.nextDouble() * total);
    }

    /** The new tokens after a prompt, one sampled at a time with a KV cache. */
    public int[] generate(Gpt gpt, int[] prompt, int maxNewTokens) {
        return generate(gpt, prompt, maxNewTokens, null, token -> false);
    }

    /**
     * The new tokens after a prompt: at most {@code maxNewTokens}, ending early after the first token that
     * {@code stop} accepts (included in the result).
     *
     * @param hooks may be null; they run on the prompt and on every generated token
     * @throws NanolensException if the prompt is empty or prompt + new tokens exceed the model's
     *                           {@link GptConfig#maxPositions()}
     */
    public int[] generate(Gpt gpt, int[] prompt, int maxNewTokens, Hooks hooks, IntPredicate stop) {
        if (prompt.length == 0 || maxNewTokens < 0) {
            throw new NanolensException("generation needs a prompt of at least one token and maxNewTokens ≥ 0, got "
                    + prompt.length + " tokens and " + maxNewTokens);
        }
        int vocab = gpt.config().vocabSize();
        int[] out = new int[maxNewTokens];
        if (maxNewTokens == 0) {
            return out;
        }
        KvCache cache = new KvCache(gpt.config(), prompt.length + maxNewTokens);
        float[] logits = gpt.forward(cache, prompt, hooks);
        int offset = (prompt.length - 1) * vocab;
        int[] next = new int[1];
        for (int i = 0; i < maxNewTokens; i++) {
            out[i] = sample(logits, offset, vocab);
            if (stop.test(out[i])) {
                return Arrays.copyOf(out, i + 1);
            }
            if (i + 1 < maxNewTokens) {
                next[0] = out[i];
                logits = gpt.forward(cache, next, hooks);
                offset = 0;
            }
        }
        return out;
    }

    private int draw(float[] logits, int offset, int vocab, float threshold, int ties, float max, double u) {
        double cumulative = 0;
        int last = -1;
        for (int j = 0; j < vocab; j++) {
            float x = logits[offset + j];
            if (x > threshold || (x == threshold && ties-- > 0)) {
                cumulative += Math.exp((x - max) / temperature);
                last = j;
                if (u < cumulative) {
                    return j;
                }
            }
        }
        return last;                      // u rounded up to the total
    }

    private float kthLargest(float[] logits, int offset, int vocab) {
        if (sorted.length != vocab) {
            sorted = new float[vocab];
        }
        System.arraycopy(logits, offset, sorted, 0, vocab);
        Arrays.sort(sorted);
        return sorted[vocab - topK];
    }

    private static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (x[offset + j] > x[offset + best]) {
                best = j;
            }
        }
        return best;
    }
}
