package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Parallel;
import io.nanolens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter, arXiv:1711.05101), written as PyTorch's
 * {@code torch.optim.AdamW} computes it: p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
 * p ← p − (lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + ε). Each parameter joins with its own learning rate and weight
 * decay (nanochat gives the embedding, the output head and the block matrices different rates); one
 * {@link #step(float)} multiplies them all by the schedule's factor. The moments m and v are the state a
 * checkpoint saves, under PyTorch's names {@code exp_avg} and {@code exp_avg_sq}. Elements are updated in
 * parallel, each independently, so the result does not depend on the thread count.
 */
public final class AdamW {
    /** nanochat v1's β1 for its AdamW groups (scripts/base_train.py adam_betas). */
    public static final float DEFAULT_BETA1 = 0.8f;
    /** nanochat v1's β2. */
    public static final float DEFAULT_BETA2 = 0.95f;
    /** nanochat v1's ε: tiny, so that rarely seen embedding rows still move at the full rate. */
    public static final float DEFAULT_EPS = 1e-10f;
    private static final int GRAIN = 1 << 14;   // elements per parallel chunk: a few L1-sized passes

    private final float beta1;
    private final float beta2;
    private final float eps;
    private final List<Slot> slots = new ArrayList<>();
    private long steps;

    /** One parameter, its gradient, its hyper-parameters and its moments, all the same length. */
    private record Slot(String name, Tensor param, Tensor grad, float lr, float weightDecay, float[] m, float[] v) {
    }

    /** An optimizer with nanochat's β1, β2 and ε. */
    public AdamW() {
        this(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    /**
     * @throws NanolensException unless 0 ≤ β &lt; 1 and ε ≥ 0
     */
    public AdamW(float beta1, float beta2, float eps) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new NanolensException("AdamW needs 0 ≤ beta1, beta2 < 1 and eps ≥ 0, got beta1 " + beta1
                    + ", beta2 " + beta2 + ", eps " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /**
     * Adds a parameter with its gradient tensor (read at every step) and its own rate and decay.
     *
     * @throws NanolensException if the name is taken, the shapes differ or lr or weightDecay is negative
     */
    public void add(String name, Tensor param, Tensor grad, float lr, float weightDecay) {
        if (slots.stream().anyMatch(s -> s.name.equals(name))) {
            throw new NanolensException("AdamW already holds a parameter named '" + name + "'");
        }
        if (!Arrays.equals(param.shape(), grad.shape())) {
            throw new NanolensException("gradient of '" + name + "' has shape " + Arrays.toString(grad.shape())
                    + " but the parameter has " + Arrays.toString(param.shape()));
        }
        if (!(lr >= 0) || !(weightDecay >= 0)) {
            throw new NanolensException("learning rate " + lr + " and weight decay " + weightDecay + " of '" + name
                    + "' must both be ≥ 0");
        }
        slots.add(new Slot(name, param, grad, lr, weightDecay, new float[param.size()], new float[param.size()]));
    }

    /** Steps taken so far (t in the bias corrections). */
    public long steps() {
        return steps;
    }

    /** Updates every parameter once, at its learning rate times {@code lrMultiplier}. */
    public void step(float lrMultiplier) {
        steps++;
        float bias1 = (float) (1 - Math.pow(beta1, steps));
        float sqrtBias2 = (float) Math.sqrt(1 - Math.pow(beta2, steps));
        for (Slot s : slots) {
            float lr = s.lr * lrMultiplier;
            float decay = 1 - lr * s.weightDecay;
            float stepSize = lr / bias1;
            float[] p = s.param.data();
            float[] g = s.grad.data();
            Parallel.forRange(p.length, GRAIN, (from, to) ->
                    update(p, g, s.m, s.v, from, to, decay, stepSize, sqrtBias2));
        }
    }

    private void update(float[] p, float[] g, float[] m, float[] v, int from, int to, float decay, float stepSize,
                        float sqrtBias2) {
        float b1 = beta1;
        float b2 = beta2;
        for (int i = from; i < to; i++) {
            float gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            float denominator = (float) Math.sqrt(v[i]) / sqrtBias2 + eps;
            p[i] = p[i] * decay - stepSize * m[i] / denominator;
        }
    }

    /**
     * The moments by name, {@code NAME.exp_avg} and {@code NAME.exp_avg_sq} in the order parameters were added;
     * the tensors are the live state (not copies), so save them before the next step.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Slot s : slots) {
            int[] shape = s.param.shape();
            state.put(s.name + ".exp_avg", Tensor.of(s.m, shape));
            state.put(s.name + ".exp_avg_sq", Tensor.of(s.v, shape));
        }
        return Collections.unmodifiableMap(state);
    }

    /**
     * Restores the moments and the step count saved from an optimizer over the same parameters.
     *
     * @throws NanolensException if a moment is missing or has the wrong size, or steps is negative
     */
    public void load(Map<String, Tensor> state, long savedSteps) {
        if (savedSteps < 0) {
            throw new NanolensException("AdamW step count " + savedSteps + " must be ≥ 0");
        }
        for (Slot s : slots) {
            copy(state, s.name + ".exp_avg", s.m);
            copy(state, s.name + ".exp_avg_sq", s.v);
        }
        steps = savedSteps;
    }

    static void copy(Map<String, Tensor> state, String name, float[] into) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new NanolensException("optimizer state '" + name + "' is missing from the checkpoint; it was "
                    + "saved for another model or optimizer: start a new run");
        }
        if (t.size() != into.length) {
            throw new NanolensException("optimizer state '" + name + "' holds " + t.size() + " values but the "
                    + "parameter has " + into.length + "; the checkpoint belongs to another model");
        }
        System.arraycopy(t.data(), 0, into, 0, into.length);
    }
}
