package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Parallel;

/**
 * Every buffer one forward (and backward) pass of a {@link Gpt} writes, allocated once for a batch of at most B
 * sequences of at most T tokens, so the training step loop does not allocate (llm.c's ActivationTensors). A
 * training state keeps each layer's activations for the backward pass; an inference state shares one set of
 * buffers between all layers and has no gradient buffers. Shapes use N = B·T rows, d = nEmbd, H heads of hd
 * channels, kv = nKvHead·hd, V = vocabSize, L = nLayer; each pass uses the first rows = b·t of them. Buffers only
 * one {@link GptConfig.Family} uses are null for the other; GPT-2 has inference states only.
 */
public final class GptState {
    final GptConfig config;
    final int batch;                // B, most sequences per pass
    final int time;                 // T, most tokens per sequence
    final boolean training;

    int b;                          // sequences in the current pass
    int t;                          // tokens per sequence in the current pass
    int rows;                       // b·t
    int start;                      // position of each sequence's first token (KV-cache decoding)
    boolean hasTargets;
    boolean backwardReady;          // a full training forward with targets ran since the last backward
    float loss;
    final int[] tokens;             // [N]
    final int[] targets;            // [N], < 0 = ignored

    final float[] emb;              // [N, d] token embeddings before the first norm (nanochat)
    final float[] rstdEmb;          // [N] (nanochat)
    final float[][] resid;          // [L+1][N, d] resid[l] enters block l, resid[L] enters the final norm
    final float[][] ln1;            // [L][N, d] normalised block input (attention input)
    final float[][] rstd1;          // [L][N]
    final float[][] mean1;          // [L][N] (GPT-2's LayerNorm)
    final float[] qkv;              // [N, 3d] GPT-2's c_attn output: queries, keys, values side by side (GPT-2)
    final float[][] qRot;           // [L][N, H·hd] queries after rotary, before QK norm (nanochat)
    final float[][] q;              // [L][N, H·hd] queries as attention reads them (nanochat: after QK norm)
    final float[][] rstdQ;          // [L][N·H] (nanochat)
    final float[][] kRot;           // [L][N, kv] keys after rotary, before QK norm (nanochat)
    final float[][] k;              // [L][N, kv] keys as attention reads them (nanochat: after QK norm)
    final float[][] rstdK;          // [L][N·nKvHead] (nanochat)
    final float[][] v;              // [L][N, kv]
    final float[][] att;            // [L][B·H, T, T] causal softmax weights (training only, else null)
    final float[][] attY;           // [L][N, d] heads' outputs concatenated, before c_proj
    final float[] attOut;           // [N, d] attention output after c_proj
    final float[][] residMid;       // [L][N, d]
    final float[][] ln2;            // [L][N, d] normalised MLP input
    final float[][] rstd2;          // [L][N]
    final float[][] mean2;          // [L][N] (GPT-2)
    final float[][] fcPre;          // [L][N, 4d] MLP hidden before the activation
    final float[][] fcAct;          // [L][N, 4d] MLP hidden after the activation (relu² or GELU)
    final float[] mlpOut;           // [N, d]
    final float[] lnf;              // [N, d] normalised final residual
    final float[] rstdF;            // [N]
    final float[] meanF;            // [N] (GPT-2)
    final float[] logits;           // [N, V] logits (nanochat: soft-capped)
    final float[] rowLse;           // [N] log Σ exp of each row's logits (NaN where the target is ignored)
    final float[][] scratch;        // [threads][4·hd·T + 2·T] per attention worker: kᵀ, vᵀ, dkᵀ, dvᵀ [hd, T], 2 rows

    final float[] dLogits;          // [N, V] gradient of the loss w.r.t. the pre-cap logits (training only)
    final float[] dResid;           // [N, d] gradient w.r.t. the residual stream at the current layer
    final float[] dLn;              // [N, d] gradient w.r.t. a norm's output, then its input
    final float[] dAttY;            // [N, d]
    final float[] dq;               // [N, H·hd]
    final float[] dk;               // [N, kv]
    final float[] dv;               // [N, kv]
    final float[] dFc;              // [N, 4d] gradient w.r.t. the MLP hidden (after, then before relu²)

    private GptState(GptConfig config, int batch, int time, boolean training) {
        check(config, batch, time, training);
        this.config = config;
        this.batch = batch;
        this.time = time;
        this.training = training;
        int rowsMax = batch * time;
        int d = config.nEmbd();
        int kv = config.kvDim();
        int layers = config.nLayer();
        boolean nanochat = config.family() == GptConfig.Family.NANOCHAT;
        int nanochatLayers = nanochat ? layers : 0;
        int gpt2Layers = nanochat ? 0 : layers;
        tokens = new int[rowsMax];
        targets = new int[rowsMax];
        emb = nanochat ? new float[rowsMax * d] : null;
        rstdEmb = nanochat ? new float[rowsMax] : null;
        resid = layered(layers + 1, rowsMax * d);
        ln1 = layered(layers, rowsMax * d);
        rstd1 = layered(layers, rowsMax);
        mean1 = layered(gpt2Layers, rowsMax);
        qkv = nanochat ? null : new float[rowsMax * 3 * d];
        qRot = layered(nanochatLayers, rowsMax * d);
        q = layered(layers, rowsMax * d);
        rstdQ = layered(nanochatLayers, rowsMax * config.nHead());
        kRot = layered(nanochatLayers, rowsMax * kv);
        k = layered(layers, rowsMax * kv);
        rstdK = layered(nanochatLayers, rowsMax * config.nKvHead());
        v = layered(layers, rowsMax * kv);
        att = training ? layered(layers, batch * config.nHead() * time * time) : null;
        attY = layered(layers, rowsMax * d);
        attOut = new float[rowsMax * d];
        residMid = layered(layers, rowsMax * d);
        ln2 = layered(layers, rowsMax * d);
        rstd2 = layered(layers, rowsMax);
        mean2 = layered(gpt2Layers, rowsMax);
        fcPre = layered(layers, rowsMax * config.mlpDim());
        fcAct = layered(layers, rowsMax * config.mlpDim());
        mlpOut = new float[rowsMax * d];
        lnf = new float[rowsMax * d];
        rstdF = new float[rowsMax];
        meanF = nanochat ? null : new float[rowsMax];
        logits = new float[rowsMax * config.vocabSize()];
        rowLse = new float[rowsMax];
        scratch = new float[Parallel.threads()][(4 * config.headDim() + 2) * time];
        dLogits = training ? new float[rowsMax * config.vocabSize()] : null;
        dResid = training ? new float[rowsMax * d] : null;
        dLn = training ? new float[rowsMax * d] : null;
        dAttY = training ? new float[rowsMax * d] : null;
        dq = training ? new float[rowsMax * d] : null;
        dk = training ? new float[rowsMax * kv] : null;
        dv = training ? new float[rowsMax * kv] : null;
        dFc = training ? new float[rowsMax * config.mlpDim()] : null;
    }

    /**
     * Buffers for training steps on batches of {@code batch} sequences of {@code time} tokens.
     *
     * @throws NanolensException for a GPT-2, which nanolens runs but does not train
     */
    public static GptState forTraining(GptConfig config, int batch, int time) {
        if (config.family() != GptConfig.Family.NANOCHAT) {
            throw new NanolensException("nanolens trains only nanochat-architecture GPTs, not a "
                    + config.family().id() + " model; GPT-2 runs forward (collect, train-sae, eval, trace, serve)");
        }
        return new GptState(config, batch, time, true);
    }

    /** Buffers for forward passes only (evaluation, harvesting, generation); about L times smaller. */
    public static GptState forInference(GptConfig config, int batch, int time) {
        return new GptState(config, batch, time, false);
    }

    /** Most sequences per pass, B. */
    public int batch() {
        return batch;
    }

    /** Most tokens per sequence, T. */
    public int time() {
        return time;
    }

    public boolean isTraining() {
        return training;
    }

    /** Rows (sequences × tokens) of the last pass. */
    public int rows() {
        return rows;
    }

    /** Logits of the last pass (nanochat: soft-capped): [rows, V] row-major in the first rows·V values. */
    public float[] logits() {
        return logits;
    }

    /** Mean cross-entropy of the last pass over its non-ignored targets (NaN without targets). */
    public float loss() {
        return loss;
    }

    /** Starts a pass: checks the shape and the token ids, copies tokens and targets. */
    void begin(int[] tokenIds, int[] targetIds, int sequences, int tokensEach, int startPosition) {
        if (sequences < 1 || sequences > batch || tokensEach < 1 || tokensEach > time) {
            throw new NanolensException("pass of " + sequences + " × " + tokensEach + " tokens does not fit a state "
                    + "of " + batch + " × " + time + "; use 1 ≤ batch ≤ " + batch + " and 1 ≤ time ≤ " + time);
        }
        int n = sequences * tokensEach;
        checkLength("tokens", tokenIds, n, sequences, tokensEach);
        for (int i = 0; i < n; i++) {
            if (tokenIds[i] < 0 || tokenIds[i] >= config.vocabSize()) {
                throw new NanolensException("token id " + tokenIds[i] + " at index " + i + " is outside the "
                        + "vocabulary [0, " + config.vocabSize() + "); encode the text with this model's tokenizer");
            }
        }
        System.arraycopy(tokenIds, 0, tokens, 0, n);
        hasTargets = targetIds != null;
        if (hasTargets) {
            checkLength("targets", targetIds, n, sequences, tokensEach);
            for (int i = 0; i < n; i++) {
                if (targetIds[i] >= config.vocabSize()) {
                    throw new NanolensException("target id " + targetIds[i] + " at index " + i + " is outside the "
                            + "vocabulary [0, " + config.vocabSize() + "); use a negative target to ignore a position");
                }
            }
            System.arraycopy(targetIds, 0, targets, 0, n);
        }
        b = sequences;
        t = tokensEach;
        rows = n;
        start = startPosition;
        loss = Float.NaN;
        backwardReady = false;
    }

    /** The buffer that holds the activation at a hook point once the pass has gone past it. */
    float[] activation(HookPoint point) {
        int l = point.layer();
        return switch (point.kind()) {
            case RESID_PRE -> resid[l];
            case ATTN_OUT -> attOut;
            case RESID_MID -> residMid[l];
            case MLP_POST -> fcAct[l];
            case MLP_OUT -> mlpOut;
            case RESID_POST -> resid[l + 1];
        };
    }

    private static void checkLength(String what, int[] ids, int n, int sequences, int tokensEach) {
        if (ids.length != n) {
            throw new NanolensException(what + " hold " + ids.length + " ids but the pass is " + sequences + " × "
                    + tokensEach + " = " + n + "; pass exactly batch × time ids, row-major");
        }
    }

    /** Rejects sizes whose buffers would not fit in a Java array. */
    private static void check(GptConfig config, int batch, int time, boolean training) {
        if (batch < 1 || time < 1 || time > config.maxPositions()) {
            throw new NanolensException("state of " + batch + " × " + time + " tokens: need batch ≥ 1 and 1 ≤ time ≤ "
                    + config.maxPositions() + " (the most positions the model can encode)");
        }
        long n = (long) batch * time;
        long widest = Math.max(config.vocabSize(), config.mlpDim());
        long attention = training ? (long) batch * config.nHead() * time * time : 0;
        if (n * widest > Integer.MAX_VALUE - 8 || attention > Integer.MAX_VALUE - 8) {
            throw new NanolensException("batch " + batch + " × time " + time + " needs buffers over 2^31 values; "
                    + "use a smaller batch or time");
        }
    }

    /** One buffer per layer for training; one buffer shared by every layer for inference. */
    private float[][] layered(int layers, int size) {
        float[][] buffers = new float[layers][];
        for (int l = 0; l < layers; l++) {
            buffers[l] = training || l == 0 ? new float[size] : buffers[0];
        }
        return buffers;
    }
}
