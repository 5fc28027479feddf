package io.nanolens.steer;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptState;
import io.nanolens.model.Hook;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.model.Sampler;
import io.nanolens.sae.Sae;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;

/**
 * A model with SAEs attached at hook points, to watch and steer what it computes. Attach SAEs by name, then open
 * scopes with try-with-resources: {@link #track} records each token's top features per SAE, {@link #steer}
 * changes features (scale, add, clamp, ablate), {@link #addDirection} adds a raw vector. A scope acts on every
 * {@link #forward} and {@link #generate} while it is open and on none after it is closed, so nothing stays hooked
 * by accident.
 * <p>
 * Steering keeps the SAE's error term: at a hook with activation x and latents f = encode(x), the edited latents
 * f′ change the activation to x + (f′ − f)·W_dec, so whatever the SAE does not reconstruct passes through
 * untouched (nanochat-SAE's runtime replaces x by decode(f′) and loses it). Sequences are one at a time (batch 1);
 * positions count from the BOS token at 0.
 *
 * <pre>{@code
 * InterpretableModel im = new InterpretableModel(gpt, tokenizer).attach("res3", sae, hook);
 * try (Steering s = im.steer(FeatureEdit.of("res3", 42, FeatureEdit.Mode.CLAMP, 8f))) {
 *     String story = im.complete("Once upon a time", 50, new Sampler(0.8f, 50, 1));
 * }
 * }</pre>
 */
public final class InterpretableModel {
    private final Gpt gpt;
    private final Tokenizer tokenizer;
    private final Map<String, Attached> saes = new LinkedHashMap<>();
    private final List<Scope> scopes = new CopyOnWriteArrayList<>();

    /** An SAE attached at a hook point. */
    private record Attached(String name, Sae sae, HookPoint hook) {
    }

    public InterpretableModel(Gpt gpt, Tokenizer tokenizer) {
        this.gpt = gpt;
        this.tokenizer = tokenizer;
    }

    public Gpt gpt() {
        return gpt;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Attaches {@code sae} at {@code hook} under {@code name}; returns this.
     *
     * @throws NanolensException if the name is taken or the SAE's width differs from the hook's
     */
    public InterpretableModel attach(String name, Sae sae, HookPoint hook) {
        if (saes.containsKey(name)) {
            throw new NanolensException("an SAE named '" + name + "' is already attached");
        }
        int width = hook.width(gpt.config());
        if (sae.dIn() != width) {
            throw new NanolensException("SAE '" + name + "' reads " + sae.dIn() + " values but " + hook.name()
                    + " is " + width + " wide; attach it where it was trained");
        }
        saes.put(name, new Attached(name, sae, hook));
        return this;
    }

    /**
     * Starts recording, for every token of later passes, the {@code topN} most active features of each SAE. The
     * scope owns the thread its encodes run on: close it (try-with-resources) when done.
     */
    public Tracking track(int topN) {
        if (topN < 1) {
            throw new NanolensException("tracking needs topN ≥ 1, got " + topN);
        }
        return open(new Tracking(this, topN));
    }

    /** Applies {@code edits} to later passes until closed. */
    public Steering steer(FeatureEdit... edits) {
        for (FeatureEdit e : edits) {
            Attached a = attached(e.sae());
            if (e.feature() >= a.sae().dSae()) {
                throw new NanolensException("SAE '" + e.sae() + "' has features 0 to " + (a.sae().dSae() - 1)
                        + ", not " + e.feature());
            }
        }
        return open(new Steering(this, List.of(edits)));
    }

    /**
     * Adds {@code coefficient · direction} at {@code hook} at every position of later passes until closed, e.g. a
     * feature's decoder row ({@link #decoderRow}) or any vector of the hook's width.
     */
    public DirectionSteering addDirection(HookPoint hook, float[] direction, float coefficient) {
        if (direction.length != hook.width(gpt.config())) {
            throw new NanolensException("the direction has " + direction.length + " values but " + hook.name()
                    + " is " + hook.width(gpt.config()) + " wide");
        }
        return open(new DirectionSteering(this, hook, Hook.addToEveryRow(direction, coefficient)));
    }

    /** Feature {@code feature}'s decoder row of SAE {@code name} (a copy), for {@link #addDirection}. */
    public float[] decoderRow(String name, int feature) {
        Sae sae = attached(name).sae();
        int d = sae.dIn();
        float[] row = new float[d];
        System.arraycopy(sae.parameters().get(Sae.W_DEC).data(), feature * d, row, 0, d);
        return row;
    }

    /** Logits [tokens, vocab] of one sequence under the open scopes. */
    public float[] forward(int[] tokens) {
        GptState state = GptState.forInference(gpt.config(), 1, tokens.length);
        gpt.forward(state, tokens, 1, tokens.length, null, hooks());
        return state.logits().clone();
    }

    /** New tokens after {@code prompt} under the open scopes (KV-cached), stopping after a token {@code stop} accepts. */
    public int[] generate(int[] prompt, int maxNewTokens, Sampler sampler, IntPredicate stop) {
        return sampler.generate(gpt, prompt, maxNewTokens, hooks(), stop);
    }

    /** The text of {@code prompt} continued under the open scopes, starting after BOS, ending before the next BOS. */
    public String complete(String prompt, int maxNewTokens, Sampler sampler) {
        int bos = tokenizer.bosId();
        int[] next = generate(withBos(prompt), maxNewTokens, sampler, id -> id == bos);
        int end = next.length > 0 && next[next.length - 1] == bos ? next.length - 1 : next.length;
        return prompt + tokenizer.decode(next, 0, end);
    }

    /** BOS followed by the prompt's tokens. */
    public int[] withBos(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        int[] tokens = new int[ids.length + 1];
        tokens[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, tokens, 1, ids.length);
        return tokens;
    }

    /** The hooks of the open scopes (null when none is open), in the order the scopes were opened. */
    Hooks hooks() {
        if (scopes.isEmpty()) {
            return null;
        }
        Hooks hooks = new Hooks();
        // Steering runs before tracking at the same point, so tracking reports the features the model really uses.
        for (Scope s : scopes) {
            if (!(s instanceof Tracking)) {
                s.addTo(hooks);
            }
        }
        for (Scope s : scopes) {
            if (s instanceof Tracking) {
                s.addTo(hooks);
            }
        }
        return hooks;
    }

    Attached attached(String name) {
        Attached a = saes.get(name);
        if (a == null) {
            throw new NanolensException("no SAE is attached as '" + name + "'; attached: " + saes.keySet());
        }
        return a;
    }

    Sae sae(String name) {
        return attached(name).sae();
    }

    HookPoint hookOf(String name) {
        return attached(name).hook();
    }

    List<String> saeNames() {
        return Collections.unmodifiableList(new ArrayList<>(saes.keySet()));
    }

    private <S extends Scope> S open(S scope) {
        scopes.add(scope);
        return scope;
    }

    void close(Scope scope) {
        scopes.remove(scope);
    }

    /** Something that hooks the model while open. */
    abstract static sealed class Scope implements AutoCloseable permits Tracking, Steering, DirectionSteering {
        final InterpretableModel model;

        Scope(InterpretableModel model) {
            this.model = model;
        }

        abstract void addTo(Hooks hooks);

        @Override
        public void close() {
            model.close(this);
        }
    }
}
