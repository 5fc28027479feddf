package io.nanolens.web;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Sae;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A prompt's tokens with the SAE features most active on each: the prompt is encoded after a BOS token, run
 * through the model up to the SAE's hook, and every position's activation encoded by the SAE; each token keeps
 * its {@code top} largest features. Each call makes its own buffers, so calls may run on several threads.
 */
public final class PromptTracer {
    private final Gpt gpt;
    private final Tokenizer tokenizer;
    private final Sae sae;
    private final HookPoint hook;

    /** One token of the prompt: its text and its most active features, largest first. */
    record TracedToken(String text, List<FeatureValue> features) {
    }

    /** A feature and its activation. */
    record FeatureValue(int index, float value) {
    }

    public PromptTracer(Gpt gpt, Tokenizer tokenizer, Sae sae, HookPoint hook) {
        if (hook.width(gpt.config()) != sae.dIn()) {
            throw new NanolensException("the SAE reads " + sae.dIn() + " values but hook " + hook.name()
                    + " of this model has " + hook.width(gpt.config()) + "; give the SAE trained on this model");
        }
        this.gpt = gpt;
        this.tokenizer = tokenizer;
        this.sae = sae;
        this.hook = hook;
    }

    /** The longest prompt in tokens (the model's context less the BOS token). */
    int maxTokens() {
        return gpt.config().sequenceLen() - 1;
    }

    /**
     * Traces {@code prompt}.
     *
     * @throws BadRequest if the prompt is empty or longer than the model's context
     */
    List<TracedToken> trace(String prompt, int top) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            throw new BadRequest("the prompt is empty");
        }
        if (ids.length > maxTokens()) {
            throw new BadRequest("the prompt is " + ids.length + " tokens; this model reads at most " + maxTokens());
        }
        int[] tokens = new int[ids.length + 1];
        tokens[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, tokens, 1, ids.length);
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        float[] acts = gpt.forwardTo(state, tokens, 1, tokens.length, hook, null);
        int d = sae.dIn();
        float[] rows = new float[ids.length * d];
        System.arraycopy(acts, d, rows, 0, rows.length);   // position 0 is BOS: left out, as in training
        float[] f = sae.encode(rows, ids.length);
        int m = sae.dSae();
        List<TracedToken> out = new ArrayList<>(ids.length);
        for (int t = 0; t < ids.length; t++) {
            out.add(new TracedToken(tokenizer.decode(ids, t, t + 1), topFeatures(f, t * m, m, top)));
        }
        return out;
    }

    private static List<FeatureValue> topFeatures(float[] f, int from, int m, int top) {
        List<FeatureValue> best = new ArrayList<>(top + 1);
        for (int i = 0; i < m; i++) {
            float v = f[from + i];
            if (v <= 0 || (best.size() == top && v <= best.getLast().value())) {
                continue;
            }
            int at = best.size();
            while (at > 0 && best.get(at - 1).value() < v) {
                at--;
            }
            best.add(at, new FeatureValue(i, v));
            if (best.size() > top) {
                best.removeLast();
            }
        }
        return best;
    }
}
