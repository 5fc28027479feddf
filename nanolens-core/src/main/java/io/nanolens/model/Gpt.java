package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A GPT on the CPU in float32, of either {@link GptConfig.Family}. nanochat v1 (karpathy/nanochat gpt.py @ a088b7a):
 * x = norm(wte[idx]); per block x += attn(norm(x)), x += mlp(norm(x)); logits = 15·tanh(lm_head(norm(x)) / 15).
 * GPT-2 ({@link Gpt2Layers}): learned positions, LayerNorms with weight and bias, GELU, biases, tied head. It turns
 * tokens into logits, a training loss and (nanochat only) gradients, and exposes TransformerLens hook points where
 * activations leave for the SAE stage. Parameters keep their checkpoint's names and layout (nanochat: state-dict
 * names, nn.Linear [out, in]; GPT-2: Hugging Face names, Conv1D [in, out]); buffers live in a {@link GptState} or
 * {@link KvCache}, so one model can serve several threads each with its own state.
 */
public final class Gpt {
    private final GptConfig config;
    private final Map<String, Tensor> parameters;   // nanochat state-dict order
    private Map<String, Tensor> gradients;          // same names and shapes, allocated by the first backward
    private final Attention attention;
    private final Mlp mlp;
    private final LmHead head;
    private final Gpt2Layers gpt2;                        // GPT-2's layers, null for nanochat
    private final Attention.Weights[] attentionWeights;   // [L]
    private final Mlp.Weights[] mlpWeights;               // [L]
    private Attention.Weights[] attentionGradients;       // [L]
    private Mlp.Weights[] mlpGradients;                   // [L]
    private final HookPoint[][] points;                   // [L][Kind]

    /**
     * A model initialised as nanochat does: Linear weights N(0, std²) with std = fan_in^−½·min(1, √(fan_out/fan_in)),
     * embedding N(0, 1), lm_head and both c_proj zero; one seed fixes every value. A GPT-2 config is initialised
     * as Hugging Face does ({@link Gpt2Layers#initialParameters}).
     */
    public Gpt(GptConfig config, long seed) {
        this(config, initialParameters(config, seed));
    }

    private Gpt(GptConfig config, Map<String, Tensor> parameters) {
        this(config, parameters, false);
    }

    private Gpt(GptConfig config, Map<String, Tensor> parameters, boolean nanochatRotary) {
        this.config = config;
        this.parameters = Collections.unmodifiableMap(parameters);
        boolean nanochat = config.family() == GptConfig.Family.NANOCHAT;
        attention = new Attention(config,
                nanochat ? new Rotary(config.headDim(), config.maxPositions(), nanochatRotary) : null);
        mlp = new Mlp(config);
        head = new LmHead(config);
        attentionWeights = new Attention.Weights[config.nLayer()];
        mlpWeights = new Mlp.Weights[config.nLayer()];
        if (nanochat) {
            bind(parameters, attentionWeights, mlpWeights);
        }
        gpt2 = nanochat ? null : new Gpt2Layers(config, parameters, attention);
        points = new HookPoint[config.nLayer()][];
        for (int l = 0; l < config.nLayer(); l++) {
            points[l] = new HookPoint[HookPoint.Kind.values().length];
            for (HookPoint.Kind kind : HookPoint.Kind.values()) {
                points[l][kind.ordinal()] = new HookPoint(l, kind);
            }
        }
    }

    /**
     * A model over existing tensors (e.g. read from a checkpoint); the model uses them, it does not copy them.
     *
     * @throws NanolensException if a name is missing or unexpected or a shape differs from the config's
     */
    public static Gpt of(GptConfig config, Map<String, Tensor> parameters) {
        return of(config, parameters, false);
    }

    /**
     * As {@link #of(GptConfig, Map)}; {@code nanochatRotary}: rotary tables as a nanochat checkpoint was trained
     * with (bfloat16, see {@link Rotary}).
     */
    static Gpt of(GptConfig config, Map<String, Tensor> parameters, boolean nanochatRotary) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : parameterShapes(config).entrySet()) {
            Tensor t = parameters.get(e.getKey());
            if (t == null) {
                throw new NanolensException("parameter '" + e.getKey() + "' is missing; a " + config
                        + " needs " + parameterShapes(config).keySet());
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new NanolensException("parameter '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but " + config + " needs "
                        + Arrays.toString(e.getValue()));
            }
            ordered.put(e.getKey(), t);
        }
        if (parameters.size() != ordered.size()) {
            throw new NanolensException("unexpected parameters " + parameters.keySet().stream()
                    .filter(k -> !ordered.containsKey(k)).toList() + " for a " + config.family().id()
                    + " GPT; expected only "
                    + ordered.keySet());
        }
        return new Gpt(config, ordered, nanochatRotary);
    }

    /**
     * Names and shapes of every parameter in its checkpoint's order: nanochat's state dict ([out, in] for Linear
     * weights) or Hugging Face's GPT2Model without the "transformer." prefix ([in, out] for Conv1D weights).
     */
    public static Map<String, int[]> parameterShapes(GptConfig c) {
        if (c.family() == GptConfig.Family.GPT2) {
            return Gpt2Layers.parameterShapes(c);
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int d = c.nEmbd();
        shapes.put("transformer.wte.weight", new int[] {c.vocabSize(), d});
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "transformer.h." + l + ".";
            shapes.put(p + "attn.c_q.weight", new int[] {d, d});
            shapes.put(p + "attn.c_k.weight", new int[] {c.kvDim(), d});
            shapes.put(p + "attn.c_v.weight", new int[] {c.kvDim(), d});
            shapes.put(p + "attn.c_proj.weight", new int[] {d, d});
            shapes.put(p + "mlp.c_fc.weight", new int[] {c.mlpDim(), d});
            shapes.put(p + "mlp.c_proj.weight", new int[] {d, c.mlpDim()});
        }
        shapes.put("lm_head.weight", new int[] {c.vocabSize(), d});
        return shapes;
    }

    public GptConfig config() {
        return config;
    }

    /** Every parameter by checkpoint name, in {@link #parameterShapes} order (unmodifiable map, modifiable tensors). */
    public Map<String, Tensor> parameters() {
        return parameters;
    }

    /**
     * Gradients with the parameters' names and shapes; allocated (as zeros) on first use, summed by backward.
     *
     * @throws NanolensException for a GPT-2, which nanolens does not train
     */
    public Map<String, Tensor> gradients() {
        trainable();
        if (gradients == null) {
            Map<String, Tensor> g = new LinkedHashMap<>();
            parameters.forEach((name, p) -> g.put(name, Tensor.zeros(p.shape())));
            attentionGradients = new Attention.Weights[config.nLayer()];
            mlpGradients = new Mlp.Weights[config.nLayer()];
            bind(g, attentionGradients, mlpGradients);
            gradients = Collections.unmodifiableMap(g);
        }
        return gradients;
    }

    /** Sets every gradient to zero (backward adds to them, so call this before each step). */
    public void zeroGradients() {
        gradients().values().forEach(g -> Arrays.fill(g.data(), 0f));
    }

    /**
     * Training forward on a full batch of the state's size: logits in {@link GptState#logits()}, loss returned.
     *
     * @param tokens  [B, T] row-major token ids
     * @param targets [B, T] next-token ids, negative = ignored
     */
    public float forward(GptState state, int[] tokens, int[] targets) {
        return forward(state, tokens, state.batch, state.time, targets, null);
    }

    /**
     * Forward on {@code batch} sequences of {@code time} tokens with hooks; returns the mean cross-entropy against
     * {@code targets} (NaN if targets is null).
     *
     * @param tokens  [batch, time] row-major token ids
     * @param targets [batch, time] next-token ids, negative = ignored; may be null
     * @param hooks   may be null
     * @throws NanolensException if the shapes do not fit the state or an id is outside the vocabulary
     */
    public float forward(GptState state, int[] tokens, int batch, int time, int[] targets, Hooks hooks) {
        checkState(state);
        state.begin(tokens, targets, batch, time, 0);
        run(state, hooks, null, null);
        if (targets != null) {
            state.loss = head.loss(state);
            state.backwardReady = state.training;
        }
        return state.loss;
    }

    /**
     * Runs the blocks only as far as {@code stop} and returns its activation, [rows, width] in the first
     * rows·width values of the returned (state-owned) array; hooks up to that point run as usual.
     */
    public float[] forwardTo(GptState state, int[] tokens, int batch, int time, HookPoint stop, Hooks hooks) {
        checkState(state);
        if (stop.layer() >= config.nLayer()) {
            throw new NanolensException("hook point " + stop + " is past the last layer " + (config.nLayer() - 1));
        }
        state.begin(tokens, null, batch, time, 0);
        run(state, hooks, stop, null);
        return state.activation(stop);
    }

    /**
     * Feeds the next tokens of one sequence through the model, reusing and extending the cache; returns the
     * logits of the new tokens, [count, V] in the first count·V values of the returned (cache-owned) array.
     *
     * @param hooks may be null; hooks see startPosition = the position of the chunk's first token
     */
    public float[] forward(KvCache cache, int[] tokens, Hooks hooks) {
        if (!cache.config.equals(config)) {
            throw new NanolensException("KV cache was made for " + cache.config + " but the model is " + config);
        }
        cache.checkRoom(tokens.length);
        GptState state = cache.state();
        state.begin(tokens, null, 1, tokens.length, cache.position());
        run(state, hooks, null, cache);
        cache.advance(tokens.length);
        return state.logits;
    }

    /**
     * Adds the gradient of the last forward's loss to {@link #gradients()} (write hooks are not differentiated).
     *
     * @throws IllegalStateException unless the last pass on this training state was a full forward with targets
     */
    public void backward(GptState s) {
        trainable();
        if (!s.backwardReady) {
            throw new IllegalStateException("backward needs a training state whose last pass was a full forward "
                    + "with targets");
        }
        gradients();
        head.backward(weight("lm_head.weight"), gradients.get("lm_head.weight").data(), s);
        for (int l = config.nLayer() - 1; l >= 0; l--) {
            mlp.backward(mlpWeights[l], mlpGradients[l], s, l);
            attention.backward(attentionWeights[l], attentionGradients[l], s, l);
        }
        embeddingBackward(s, gradients.get("transformer.wte.weight").data());
        s.backwardReady = false;
    }

    /**
     * The direct effect on the logits of directions added to the final residual stream, [rows, d] → [rows, V]:
     * the linear part of the final norm, then the unembedding. nanochat's norm has no weight, so this is
     * lm_head·u; GPT-2's ln_f centres u and scales it by its weight before the tied wte (TransformerLens's fold_ln).
     * The norm's per-token scale and the soft cap are left out: neither changes a direction's ranking of tokens.
     */
    public void directLogits(float[] directions, int rows, float[] logits) {
        if (gpt2 != null) {
            gpt2.directLogits(directions, rows, logits);
        } else {
            Matmul.abT(directions, weight("lm_head.weight"), logits, rows, config.nEmbd(), config.vocabSize(), false);
        }
    }

    /**
     * Directions in block {@code layer}'s MLP hidden layer ([rows, 4d] from {@code offset}, as at
     * {@code mlp.hook_post}) → the residual directions [rows, d] its c_proj weight writes (no bias).
     */
    public void mlpOutput(int layer, float[] hidden, int offset, int rows, float[] out) {
        if (gpt2 != null) {
            gpt2.mlpOutput(layer, hidden, offset, rows, out);
        } else {
            Matmul.abT(hidden, offset, mlpWeights[layer].proj(), 0, out, 0, rows, config.mlpDim(), config.nEmbd(),
                    false);
        }
    }

    /** Embedding, blocks (stopping after {@code stop} if given), then the head. */
    private void run(GptState s, Hooks hooks, HookPoint stop, KvCache cache) {
        if (gpt2 != null) {
            gpt2.embed(s);
        } else {
            float[] wte = weight("transformer.wte.weight");
            int d = config.nEmbd();
            for (int r = 0; r < s.rows; r++) {
                System.arraycopy(wte, s.tokens[r] * d, s.emb, r * d, d);
            }
            RmsNorm.forward(s.emb, s.resid[0], s.rstdEmb, s.rows, d);
        }
        for (int l = 0; l < config.nLayer(); l++) {
            if (block(s, l, hooks, stop, cache)) {
                return;
            }
        }
        if (gpt2 != null) {
            gpt2.head(s);
        } else {
            head.forward(weight("lm_head.weight"), s);
        }
    }

    /** One transformer block with its six hook points; true when {@code stop} was reached. */
    private boolean block(GptState s, int l, Hooks hooks, HookPoint stop, KvCache cache) {
        int n = s.rows * config.nEmbd();
        if (visit(s, l, HookPoint.Kind.RESID_PRE, hooks, stop)) {
            return true;
        }
        if (gpt2 != null) {
            gpt2.attention(s, l, cache);
        } else {
            attention.forward(attentionWeights[l], s, l, cache);
        }
        if (visit(s, l, HookPoint.Kind.ATTN_OUT, hooks, stop)) {
            return true;
        }
        Ops.add(s.resid[l], s.attOut, s.residMid[l], n);
        if (visit(s, l, HookPoint.Kind.RESID_MID, hooks, stop)) {
            return true;
        }
        if (gpt2 != null) {
            gpt2.expand(s, l);
        } else {
            mlp.expand(mlpWeights[l], s, l);
        }
        if (visit(s, l, HookPoint.Kind.MLP_POST, hooks, stop)) {
            return true;
        }
        if (gpt2 != null) {
            gpt2.project(s, l);
        } else {
            mlp.project(mlpWeights[l], s, l);
        }
        if (visit(s, l, HookPoint.Kind.MLP_OUT, hooks, stop)) {
            return true;
        }
        Ops.add(s.residMid[l], s.mlpOut, s.resid[l + 1], n);
        return visit(s, l, HookPoint.Kind.RESID_POST, hooks, stop);
    }

    private boolean visit(GptState s, int l, HookPoint.Kind kind, Hooks hooks, HookPoint stop) {
        HookPoint point = points[l][kind.ordinal()];
        Hook hook = hooks == null ? null : hooks.get(point);
        if (hook != null) {
            hook.apply(point, s.activation(point), s.rows, point.width(config), s.start);
        }
        return point.equals(stop);
    }

    /** ∂loss/∂wte[token] += the gradient through the embedding norm, row by row. */
    private void embeddingBackward(GptState s, float[] dWte) {
        int d = config.nEmbd();
        RmsNorm.backward(s.dResid, s.emb, s.rstdEmb, s.dLn, s.rows, d);
        for (int r = 0; r < s.rows; r++) {
            int row = s.tokens[r] * d;
            for (int i = 0; i < d; i++) {
                dWte[row + i] += s.dLn[r * d + i];
            }
        }
    }

    private void trainable() {
        if (gpt2 != null) {
            throw new NanolensException("nanolens trains only nanochat-architecture GPTs; this " + config.family().id()
                    + " model runs forward only (no gradients, no backward pass)");
        }
    }

    private void checkState(GptState state) {
        if (!state.config.equals(config)) {
            throw new NanolensException("state was made for " + state.config + " but the model is " + config);
        }
    }

    private float[] weight(String name) {
        return parameters.get(name).data();
    }

    private void bind(Map<String, Tensor> tensors, Attention.Weights[] attn, Mlp.Weights[] mlps) {
        for (int l = 0; l < config.nLayer(); l++) {
            String p = "transformer.h." + l + ".";
            attn[l] = new Attention.Weights(tensors.get(p + "attn.c_q.weight").data(),
                    tensors.get(p + "attn.c_k.weight").data(), tensors.get(p + "attn.c_v.weight").data(),
                    tensors.get(p + "attn.c_proj.weight").data());
            mlps[l] = new Mlp.Weights(tensors.get(p + "mlp.c_fc.weight").data(),
                    tensors.get(p + "mlp.c_proj.weight").data());
        }
    }

    private static Map<String, Tensor> initialParameters(GptConfig config, long seed) {
        if (config.family() == GptConfig.Family.GPT2) {
            return Gpt2Layers.initialParameters(config, seed);
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> init = new LinkedHashMap<>();
        parameterShapes(config).forEach((name, shape) -> {
            long tensorSeed = random.nextLong();
            boolean zero = name.equals("lm_head.weight") || name.endsWith("c_proj.weight");
            float std = name.equals("transformer.wte.weight") ? 1f
                    : (float) (Math.min(1, Math.sqrt((double) shape[0] / shape[1])) / Math.sqrt(shape[1]));
            init.put(name, zero ? Tensor.zeros(shape) : Tensor.randn(tensorSeed, std, shape));
        });
        return init;
    }
}
