package io.nanolens.model;

import io.nanolens.tensor.Matmul;
import io.nanolens.tensor.Ops;
import io.nanolens.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-2's pieces of the forward pass (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners";
 * Hugging Face's GPT2LMHeadModel): x = wte[idx] + wpe[pos]; per block x += c_proj(attn(ln_1(x))) and
 * x += c_proj(gelu(c_fc(ln_2(x)))); logits = ln_f(x)·wteᵀ, the head tied to the token embedding. {@link Gpt} runs
 * these in place of nanochat's, so the hook points, the {@link GptState} buffers and the {@link KvCache} stay
 * common, and the attention core is {@link Attention#attend}. Weights keep Hugging Face's names without the
 * {@code transformer.} prefix (as openai-community/gpt2's model.safetensors has them) and its Conv1D layout
 * [in, out], so a layer is x·W + b; each bias is written into the output first and the matmul accumulates onto it.
 * LayerNorm ε comes from the config; GELU is the tanh form ("gelu_new"). Inference only: no backward pass.
 */
final class Gpt2Layers {
    /** Hugging Face's initializer_range: the standard deviation of every initial weight. */
    private static final float INIT_STD = 0.02f;

    /**
     * One block's weights, Conv1D layout [in, out].
     *
     * @param ln1Weight ln_1.weight [d]
     * @param ln1Bias   ln_1.bias [d]
     * @param attn      attn.c_attn.weight [d, 3d]: queries, keys, values side by side in the output
     * @param attnBias  attn.c_attn.bias [3d]
     * @param proj      attn.c_proj.weight [d, d]
     * @param projBias  attn.c_proj.bias [d]
     * @param ln2Weight ln_2.weight [d]
     * @param ln2Bias   ln_2.bias [d]
     * @param fc        mlp.c_fc.weight [d, 4d]
     * @param fcBias    mlp.c_fc.bias [4d]
     * @param out       mlp.c_proj.weight [4d, d]
     * @param outBias   mlp.c_proj.bias [d]
     */
    record Block(float[] ln1Weight, float[] ln1Bias, float[] attn, float[] attnBias, float[] proj, float[] projBias,
                 float[] ln2Weight, float[] ln2Bias, float[] fc, float[] fcBias, float[] out, float[] outBias) {
    }

    private final int d;
    private final int hidden;
    private final int vocab;
    private final int layers;
    private final float eps;
    private final Attention attention;
    private final float[] wte;        // [V, d] token embedding and unembedding
    private final float[] wpe;        // [P, d] position embedding
    private final float[] lnfWeight;  // [d]
    private final float[] lnfBias;    // [d]
    private final Block[] blocks;     // [L]

    Gpt2Layers(GptConfig config, Map<String, Tensor> parameters, Attention attention) {
        d = config.nEmbd();
        hidden = config.mlpDim();
        vocab = config.vocabSize();
        layers = config.nLayer();
        eps = config.normEps();
        this.attention = attention;
        wte = parameters.get("wte.weight").data();
        wpe = parameters.get("wpe.weight").data();
        lnfWeight = parameters.get("ln_f.weight").data();
        lnfBias = parameters.get("ln_f.bias").data();
        blocks = new Block[layers];
        for (int l = 0; l < layers; l++) {
            String p = "h." + l + ".";
            blocks[l] = new Block(data(parameters, p + "ln_1.weight"), data(parameters, p + "ln_1.bias"),
                    data(parameters, p + "attn.c_attn.weight"), data(parameters, p + "attn.c_attn.bias"),
                    data(parameters, p + "attn.c_proj.weight"), data(parameters, p + "attn.c_proj.bias"),
                    data(parameters, p + "ln_2.weight"), data(parameters, p + "ln_2.bias"),
                    data(parameters, p + "mlp.c_fc.weight"), data(parameters, p + "mlp.c_fc.bias"),
                    data(parameters, p + "mlp.c_proj.weight"), data(parameters, p + "mlp.c_proj.bias"));
        }
    }

    /** Names and shapes of every parameter in Hugging Face's GPT2Model order, Conv1D weights [in, out]. */
    static Map<String, int[]> parameterShapes(GptConfig c) {
        int d = c.nEmbd();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("wte.weight", new int[] {c.vocabSize(), d});
        shapes.put("wpe.weight", new int[] {c.sequenceLen(), d});
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "h." + l + ".";
            shapes.put(p + "ln_1.weight", new int[] {d});
            shapes.put(p + "ln_1.bias", new int[] {d});
            shapes.put(p + "attn.c_attn.weight", new int[] {d, 3 * d});
            shapes.put(p + "attn.c_attn.bias", new int[] {3 * d});
            shapes.put(p + "attn.c_proj.weight", new int[] {d, d});
            shapes.put(p + "attn.c_proj.bias", new int[] {d});
            shapes.put(p + "ln_2.weight", new int[] {d});
            shapes.put(p + "ln_2.bias", new int[] {d});
            shapes.put(p + "mlp.c_fc.weight", new int[] {d, c.mlpDim()});
            shapes.put(p + "mlp.c_fc.bias", new int[] {c.mlpDim()});
            shapes.put(p + "mlp.c_proj.weight", new int[] {c.mlpDim(), d});
            shapes.put(p + "mlp.c_proj.bias", new int[] {d});
        }
        shapes.put("ln_f.weight", new int[] {d});
        shapes.put("ln_f.bias", new int[] {d});
        return shapes;
    }

    /**
     * Weights initialised as Hugging Face's GPT2PreTrainedModel does: N(0, 0.02²) for embeddings and Conv1D weights,
     * N(0, (0.02/√(2L))²) for the two c_proj weights that write into the residual stream, zero biases, LayerNorm
     * weights one.
     */
    static Map<String, Tensor> initialParameters(GptConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float projStd = (float) (INIT_STD / Math.sqrt(2.0 * config.nLayer()));
        Map<String, Tensor> init = new LinkedHashMap<>();
        parameterShapes(config).forEach((name, shape) -> {
            long tensorSeed = random.nextLong();
            Tensor t;
            if (name.contains(".ln_") || name.startsWith("ln_f.")) {
                t = Tensor.zeros(shape);
                if (name.endsWith(".weight")) {
                    Arrays.fill(t.data(), 1f);
                }
            } else if (name.endsWith(".bias")) {
                t = Tensor.zeros(shape);
            } else {
                t = Tensor.randn(tensorSeed, name.endsWith("c_proj.weight") ? projStd : INIT_STD, shape);
            }
            init.put(name, t);
        });
        return init;
    }

    /** resid[0] = wte[token] + wpe[position], the position counted from the state's start (KV-cache decoding). */
    void embed(GptState s) {
        float[] x = s.resid[0];
        for (int r = 0; r < s.rows; r++) {
            int token = s.tokens[r] * d;
            int position = (s.start + r % s.t) * d;
            int o = r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = wte[token + i] + wpe[position + i];
            }
        }
    }

    /** resid[l] → ln1 → c_attn → q, k, v → {@link Attention#attend} → c_proj → attOut. */
    void attention(GptState s, int l, KvCache cache) {
        Block w = blocks[l];
        int n = s.rows;
        Ops.layerNorm(s.resid[l], w.ln1Weight(), w.ln1Bias(), s.ln1[l], s.mean1[l], s.rstd1[l], n, d, eps);
        fillRows(s.qkv, w.attnBias(), n);
        Matmul.ab(s.ln1[l], w.attn(), s.qkv, n, d, 3 * d, true);
        for (int r = 0; r < n; r++) {
            System.arraycopy(s.qkv, r * 3 * d, s.q[l], r * d, d);
            System.arraycopy(s.qkv, r * 3 * d + d, s.k[l], r * d, d);
            System.arraycopy(s.qkv, r * 3 * d + 2 * d, s.v[l], r * d, d);
        }
        attention.attend(s, l, cache);
        fillRows(s.attOut, w.projBias(), n);
        Matmul.ab(s.attY[l], w.proj(), s.attOut, n, d, d, true);
    }

    /** residMid[l] → ln2[l] → fcPre[l] → fcAct[l] = gelu(fcPre). */
    void expand(GptState s, int l) {
        Block w = blocks[l];
        int n = s.rows;
        Ops.layerNorm(s.residMid[l], w.ln2Weight(), w.ln2Bias(), s.ln2[l], s.mean2[l], s.rstd2[l], n, d, eps);
        fillRows(s.fcPre[l], w.fcBias(), n);
        Matmul.ab(s.ln2[l], w.fc(), s.fcPre[l], n, d, hidden, true);
        Ops.gelu(s.fcPre[l], s.fcAct[l], n * hidden);
    }

    /** fcAct[l] → mlpOut. */
    void project(GptState s, int l) {
        Block w = blocks[l];
        fillRows(s.mlpOut, w.outBias(), s.rows);
        Matmul.ab(s.fcAct[l], w.out(), s.mlpOut, s.rows, hidden, d, true);
    }

    /** resid[L] → lnf → logits = lnf·wteᵀ (no soft cap). */
    void head(GptState s) {
        int n = s.rows;
        Ops.layerNorm(s.resid[layers], lnfWeight, lnfBias, s.lnf, s.meanF, s.rstdF, n, d, eps);
        Matmul.abT(s.lnf, wte, s.logits, n, d, vocab, false);
    }

    /**
     * Directions in the final residual stream [rows, d] → their direct logit effect [rows, V]: each row centred
     * (ln_f removes the mean), scaled by ln_f's weight, then unembedded by wte; ln_f's bias and its per-token 1/σ
     * are left out, as TransformerLens's fold_ln folds them.
     */
    void directLogits(float[] directions, int rows, float[] logits) {
        float[] folded = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float mean = 0;
            for (int i = 0; i < d; i++) {
                mean += directions[o + i];
            }
            mean /= d;
            for (int i = 0; i < d; i++) {
                folded[o + i] = (directions[o + i] - mean) * lnfWeight[i];
            }
        }
        Matmul.abT(folded, wte, logits, rows, d, vocab, false);
    }

    /** MLP hidden directions of block l [rows, 4d] from {@code offset} → residual directions [rows, d], no bias. */
    void mlpOutput(int l, float[] directions, int offset, int rows, float[] out) {
        Matmul.ab(directions, offset, blocks[l].out(), 0, out, 0, rows, hidden, d, false);
    }

    /** Every row of out [rows, bias.length] set to the bias, for a matmul to accumulate onto. */
    private static void fillRows(float[] out, float[] bias, int rows) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bias, 0, out, r * bias.length, bias.length);
        }
    }

    private static float[] data(Map<String, Tensor> parameters, String name) {
        return parameters.get(name).data();
    }
}
