package io.nanolens.model;

import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hooks of one forward pass: at most one {@link Hook} per {@link HookPoint} (adding a second one chains it
 * after the first). Passed to {@link Gpt}'s forward methods to record activations for SAEs or to intervene.
 */
public final class Hooks {
    private final Map<HookPoint, Hook> hooks = new LinkedHashMap<>();

    /** Adds a hook at a point, after any hook already there; returns this for chaining. */
    public Hooks add(HookPoint point, Hook hook) {
        hooks.merge(point, hook, Hook::andThen);
        return this;
    }

    /** The hook at a point, or null. */
    public Hook get(HookPoint point) {
        return hooks.get(point);
    }

    /** The points that carry a hook, in the order they were added. */
    public Set<HookPoint> points() {
        return Collections.unmodifiableSet(hooks.keySet());
    }

    public boolean isEmpty() {
        return hooks.isEmpty();
    }

    /**
     * Records the activation at each point: after every forward pass the returned map holds a fresh copy
     * [rows, width] per point (overwriting the previous pass's). Recording happens where the hook is added, so a hook
     * added earlier at the same point runs before the copy is taken.
     */
    public Map<HookPoint, Tensor> cache(HookPoint... points) {
        Map<HookPoint, Tensor> cache = new LinkedHashMap<>();
        for (HookPoint point : points) {
            add(point, (p, act, rows, width, start) ->
                    cache.put(p, Tensor.of(Arrays.copyOf(act, rows * width), rows, width)));
        }
        return cache;
    }
}
