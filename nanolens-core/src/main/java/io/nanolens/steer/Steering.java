package io.nanolens.steer;

import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.sae.Sae;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feature edits applied while open ({@link InterpretableModel#steer}). At each hook with edits, every row x is
 * encoded, the edited features' activations f_i become f′_i, and x moves by Σ_i (f′_i − f_i)·W_dec[i]: only the
 * edited features' decoder rows are touched and the SAE's error term stays in the activation.
 */
public final class Steering extends InterpretableModel.Scope {
    private final List<FeatureEdit> edits;

    Steering(InterpretableModel model, List<FeatureEdit> edits) {
        super(model);
        this.edits = List.copyOf(edits);
    }

    public List<FeatureEdit> edits() {
        return edits;
    }

    @Override
    void addTo(Hooks hooks) {
        Map<String, List<FeatureEdit>> bySae = new LinkedHashMap<>();
        for (FeatureEdit e : edits) {
            bySae.computeIfAbsent(e.sae(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<FeatureEdit>> entry : bySae.entrySet()) {
            Sae sae = model.sae(entry.getKey());
            HookPoint point = model.hookOf(entry.getKey());
            List<FeatureEdit> saeEdits = entry.getValue();
            hooks.add(point, (p, act, rows, width, start) -> edit(sae, saeEdits, act, rows, width, start));
        }
    }

    private static void edit(Sae sae, List<FeatureEdit> edits, float[] act, int rows, int width, int start) {
        int m = sae.dSae();
        float[] f = sae.encode(act, rows);
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        for (int r = 0; r < rows; r++) {
            int position = start + r;
            for (FeatureEdit e : edits) {
                if (!e.covers(position)) {
                    continue;
                }
                int at = r * m + e.feature();
                float before = f[at];
                float after = e.apply(before);
                f[at] = after;                  // a later edit of the same feature starts from this value
                float delta = after - before;
                if (delta != 0) {
                    for (int c = 0, row = e.feature() * width; c < width; c++) {
                        act[r * width + c] += delta * wDec[row + c];
                    }
                }
            }
        }
    }
}
