package io.nanolens.model;

import io.nanolens.NanolensException;

/**
 * The shape of a nanochat v1 GPT (nanochat/gpt.py {@code GPTConfig}): context length, vocabulary, depth, query
 * heads, key/value heads and width. It sits at the start of the model stage (tokens → GPT → activations); every
 * buffer size in {@link GptState} and every tensor shape in {@link Gpt#parameters()} derives from it.
 *
 * @param sequenceLen context length T the model is trained on (rotary tables cover {@link #ROTARY_SPAN}× it)
 * @param vocabSize   number of token ids V
 * @param nLayer      transformer blocks L
 * @param nHead       query heads H
 * @param nKvHead     key/value heads (grouped-query attention: each serves nHead / nKvHead query heads)
 * @param nEmbd       residual width d
 */
public record GptConfig(int sequenceLen, int vocabSize, int nLayer, int nHead, int nKvHead, int nEmbd) {

    /** nanochat's v1 head dimension: {@link #ofDepth} sizes heads to 128 channels. */
    public static final int DEPTH_HEAD_DIM = 128;
    /** nanochat's v1 width per layer of depth: n_embd = 64·depth. */
    public static final int DEPTH_ASPECT = 64;
    /** nanochat base_train's v1 context length. */
    public static final int DEPTH_SEQUENCE_LEN = 2048;
    /** Rotary tables span this many times the context, as nanochat precomputes, so generation can run past it. */
    public static final int ROTARY_SPAN = 10;

    public GptConfig {
        positive("sequenceLen", sequenceLen);
        positive("vocabSize", vocabSize);
        positive("nLayer", nLayer);
        positive("nHead", nHead);
        positive("nKvHead", nKvHead);
        positive("nEmbd", nEmbd);
        if (nEmbd % nHead != 0) {
            throw new NanolensException("nEmbd " + nEmbd + " must be a multiple of nHead " + nHead
                    + " (each head gets nEmbd / nHead channels); choose nHead among the divisors of nEmbd");
        }
        if (nHead % nKvHead != 0) {
            throw new NanolensException("nHead " + nHead + " must be a multiple of nKvHead " + nKvHead
                    + " (each key/value head serves nHead / nKvHead query heads); use a divisor of nHead");
        }
        if ((nEmbd / nHead) % 2 != 0) {
            throw new NanolensException("head dimension nEmbd / nHead = " + nEmbd / nHead
                    + " must be even (rotary embeddings rotate pairs of channels); change nEmbd or nHead");
        }
        long biggest = Math.max((long) vocabSize * nEmbd, 4L * nEmbd * nEmbd);
        if (biggest > Integer.MAX_VALUE - 8 || (long) sequenceLen * ROTARY_SPAN * nEmbd > Integer.MAX_VALUE - 8) {
            throw new NanolensException("config " + vocabSize + " × " + nEmbd + " (context " + sequenceLen
                    + ") makes a tensor over 2^31 values; keep vocabSize·nEmbd, 4·nEmbd² and 10·sequenceLen·nEmbd "
                    + "below 2^31");
        }
    }

    /**
     * The tiny preset: d=128, 4 layers, 4 heads of 32, context 256. About 0.8 M block parameters plus 2·V·128 for
     * the embeddings, roughly 12 MFLOP per trained token, so 2 CPU cores get through a few hundred thousand tokens
     * of a synthetic story corpus in a few minutes; 256 tokens hold a whole short story.
     */
    public static GptConfig tiny(int vocabSize) {
        return new GptConfig(256, vocabSize, 4, 4, 4, 128);
    }

    /** The small preset: d=256, 6 layers, 4 heads of 64, context 512 (4.7 M block parameters; hours on 2 cores). */
    public static GptConfig small(int vocabSize) {
        return new GptConfig(512, vocabSize, 6, 4, 4, 256);
    }

    /** nanochat's one dial at its v1 context: width 64·depth, heads of 128 channels, as many kv heads as heads. */
    public static GptConfig ofDepth(int depth, int vocabSize) {
        return ofDepth(depth, vocabSize, DEPTH_SEQUENCE_LEN);
    }

    /**
     * nanochat's one dial (scripts/base_train.py v1): n_embd = 64·depth, n_head = ceil(n_embd / 128),
     * n_kv_head = n_head, n_layer = depth.
     *
     * @throws NanolensException if depth is not positive or the heads do not divide the width (odd depths 5, 9, …)
     */
    public static GptConfig ofDepth(int depth, int vocabSize, int sequenceLen) {
        positive("depth", depth);
        int width = DEPTH_ASPECT * depth;
        int heads = (width + DEPTH_HEAD_DIM - 1) / DEPTH_HEAD_DIM;
        if (width % heads != 0) {
            throw new NanolensException("depth " + depth + " gives width " + width + " which " + heads
                    + " heads do not divide; use an even depth (or depth 1, 3, 7)");
        }
        return new GptConfig(sequenceLen, vocabSize, depth, heads, heads, width);
    }

    /** Channels per head, nEmbd / nHead. */
    public int headDim() {
        return nEmbd / nHead;
    }

    /** Width of the key and value projections, nKvHead · headDim. */
    public int kvDim() {
        return nKvHead * headDim();
    }

    /** Hidden width of the MLP, 4 · nEmbd. */
    public int mlpDim() {
        return 4 * nEmbd;
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return nHead / nKvHead;
    }

    /** Positions the rotary tables cover: {@link #ROTARY_SPAN} × sequenceLen. */
    public int maxPositions() {
        return ROTARY_SPAN * sequenceLen;
    }

    /** Number of trainable values: 2·V·d for the embeddings plus (2d² + 2·d·kvDim + 8d²) per block. */
    public long parameterCount() {
        long d = nEmbd;
        long block = 2 * d * d + 2 * d * kvDim() + 8 * d * d;
        return 2L * vocabSize * d + nLayer * block;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new NanolensException(name + " is " + value + " but must be at least 1");
        }
    }
}
