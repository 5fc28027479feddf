package io.nanolens.steer;

import io.nanolens.model.Hooks;
import io.nanolens.sae.Sae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records, while open, each token's most active features per attached SAE ({@link InterpretableModel#track}).
 * Every pass adds the positions it computes; a generation therefore yields the prompt's tokens and then one per
 * generated token. {@link #clear} forgets what was recorded.
 * <p>
 * The SAE encodes run on a thread of their own, behind the forward pass: the hook only copies the activation rows.
 * Token-by-token generation keeps one core busy with small products, so the encodes (an eighth of a token's work
 * for an SAE of expansion 8) take the other one instead of lengthening every step. {@link #tokens} waits for the
 * encodes still queued, so what it returns is always complete. The thread ({@link BackgroundWorker}) spins briefly
 * between jobs rather than being woken for each token.
 */
public final class Tracking extends InterpretableModel.Scope {
    private final int topN;
    private final TreeMap<Integer, Map<String, List<TrackedToken.FeatureActivation>>> byPosition = new TreeMap<>();
    // One thread, so encodes finish in the order the passes produced them.
    private final BackgroundWorker encoder = new BackgroundWorker("nanolens-tracking");

    Tracking(InterpretableModel model, int topN) {
        super(model);
        this.topN = topN;
    }

    /** What was recorded, by position, once every pass so far has been encoded. */
    public List<TrackedToken> tokens() {
        awaitEncodes();
        synchronized (this) {
            List<TrackedToken> out = new ArrayList<>(byPosition.size());
            byPosition.forEach((position, features) ->
                    out.add(new TrackedToken(position, Collections.unmodifiableMap(new LinkedHashMap<>(features)))));
            return out;
        }
    }

    public void clear() {
        awaitEncodes();
        synchronized (this) {
            byPosition.clear();
        }
    }

    /** Stops hooking the model; encodes already queued still finish, so {@link #tokens} stays complete. */
    @Override
    public void close() {
        super.close();
        encoder.close();
    }

    @Override
    void addTo(Hooks hooks) {
        for (String name : model.saeNames()) {
            Sae sae = model.sae(name);
            hooks.add(model.hookOf(name), (p, act, rows, width, start) -> {
                // The model reuses act for the next pass: the encode gets a copy.
                float[] rowsCopy = Arrays.copyOf(act, rows * width);
                encoder.submit(() -> record(name, sae, rowsCopy, rows, start));
            });
        }
    }

    /** Waits for the queued encodes; an encode's failure is rethrown here, once. */
    private void awaitEncodes() {
        encoder.await();
    }

    private void record(String name, Sae sae, float[] act, int rows, int start) {
        int m = sae.dSae();
        float[] f = sae.encode(act, rows);
        synchronized (this) {
            for (int r = 0; r < rows; r++) {
                byPosition.computeIfAbsent(start + r, k -> new LinkedHashMap<>()).put(name, top(f, r * m, m));
            }
        }
    }

    private List<TrackedToken.FeatureActivation> top(float[] f, int from, int m) {
        List<TrackedToken.FeatureActivation> best = new ArrayList<>(topN + 1);
        for (int i = 0; i < m; i++) {
            float v = f[from + i];
            if (v <= 0 || (best.size() == topN && v <= best.getLast().value())) {
                continue;
            }
            int at = best.size();
            while (at > 0 && best.get(at - 1).value() < v) {
                at--;
            }
            best.add(at, new TrackedToken.FeatureActivation(i, v));
            if (best.size() > topN) {
                best.removeLast();
            }
        }
        return List.copyOf(best);
    }
}
