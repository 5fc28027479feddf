package io.nanolens.web;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Sae;
import io.nanolens.model.Sampler;
import io.nanolens.steer.FeatureEdit;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.Steering;
import io.nanolens.steer.TrackedToken;
import io.nanolens.steer.Tracking;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The live server's model with its SAE: {@link #trace} gives a prompt's tokens with the SAE features most active
 * on each (tracking on, {@link InterpretableModel#track}); {@link #generate} continues a prompt twice from the same
 * seed, without and with feature edits (the steering playground). Each call makes its own
 * {@link InterpretableModel} and buffers, so calls may run on several threads.
 */
public final class LiveModel {
    /** The name the SAE is attached under; feature edits name it. */
    static final String SAE_NAME = "sae";
    private static final String SAE = SAE_NAME;
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

    /** The same prompt continued without and with the edits. */
    record Comparison(String plain, String steered) {
    }

    public LiveModel(Gpt gpt, Tokenizer tokenizer, Sae sae, HookPoint hook) {
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
        InterpretableModel model = new InterpretableModel(gpt, tokenizer).attach(SAE, sae, hook);
        List<TrackedToken> tracked;
        try (Tracking tracking = model.track(top)) {
            model.forward(model.withBos(prompt));
            tracked = tracking.tokens();
        }
        List<TracedToken> out = new ArrayList<>(ids.length);
        for (TrackedToken t : tracked) {
            if (t.position() == 0) {
                continue;                   // BOS: left out, as in training
            }
            List<FeatureValue> features = t.features().get(SAE).stream()
                    .map(a -> new FeatureValue(a.feature(), a.value())).toList();
            out.add(new TracedToken(tokenizer.decode(ids, t.position() - 1, t.position()), features));
        }
        return out;
    }

    /** The number of features of the SAE. */
    int features() {
        return sae.dSae();
    }

    /**
     * Continues {@code prompt} twice with the same sampler settings and seed: as it is, and with {@code edits}
     * (whose SAE name must be {@link #SAE_NAME}).
     */
    Comparison generate(String prompt, List<FeatureEdit> edits, int maxTokens, float temperature, long seed) {
        int promptTokens = tokenizer.encode(prompt).length;
        if (promptTokens + 1 + maxTokens > gpt.config().maxPositions()) {
            throw new BadRequest("prompt and new tokens exceed what this model can generate in one go");
        }
        InterpretableModel model = new InterpretableModel(gpt, tokenizer).attach(SAE, sae, hook);
        String plain = model.complete(prompt, maxTokens, new Sampler(temperature, 50, seed));
        String steered;
        try (Steering s = model.steer(edits.toArray(FeatureEdit[]::new))) {
            steered = model.complete(prompt, maxTokens, new Sampler(temperature, 50, seed));
        }
        return new Comparison(plain, steered);
    }
}
