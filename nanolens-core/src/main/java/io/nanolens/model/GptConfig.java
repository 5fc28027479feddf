package io.nanolens.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.nanolens.NanolensException;

/**
 * The shape of a GPT: context length, vocabulary, depth, query heads, key/value heads, width, and which family of
 * GPT it is: nanochat v1 (nanochat/gpt.py {@code GPTConfig}) or OpenAI's GPT-2 (Hugging Face {@code GPT2Config}).
 * It sits at the start of the model stage (tokens → GPT → activations); every buffer size in {@link GptState} and
 * every tensor shape in {@link Gpt#parameters()} derives from it. A nanochat config is written to JSON with
 * nanochat's six keys only, as before the family existed; a missing family reads back as nanochat.
 *
 * @param sequenceLen context length T the model is trained on (nanochat: rotary tables cover {@link #ROTARY_SPAN}×
 *                    it; GPT-2: n_positions, the rows of the learned position table and the hard limit)
 * @param vocabSize   number of token ids V
 * @param nLayer      transformer blocks L
 * @param nHead       query heads H
 * @param nKvHead     key/value heads (grouped-query attention: each serves nHead / nKvHead query heads; GPT-2: H)
 * @param nEmbd       residual width d
 * @param family      the architecture: which norms, position encoding, MLP activation and head
 * @param normEps     ε of the norms (nanochat: float32 machine epsilon, GPT-2: layer_norm_epsilon, usually 1e-5)
 */
public record GptConfig(int sequenceLen, int vocabSize, int nLayer, int nHead, int nKvHead, int nEmbd,
                        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NanochatFamily.class)
                        Family family,
                        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NanochatEps.class)
                        float normEps) {

    /** nanochat's v1 head dimension: {@link #ofDepth} sizes heads to 128 channels. */
    public static final int DEPTH_HEAD_DIM = 128;
    /** nanochat's v1 width per layer of depth: n_embd = 64·depth. */
    public static final int DEPTH_ASPECT = 64;
    /** nanochat base_train's v1 context length. */
    public static final int DEPTH_SEQUENCE_LEN = 2048;
    /** Rotary tables span this many times the context, as nanochat precomputes, so generation can run past it. */
    public static final int ROTARY_SPAN = 10;
    /** nanochat's norm ε: float32 machine epsilon, what {@code F.rms_norm} uses when eps is None. */
    public static final float NANOCHAT_EPS = 1.1920929e-7f;
    /** GPT-2's LayerNorm ε (GPT2Config.layer_norm_epsilon's default). */
    public static final float GPT2_EPS = 1e-5f;

    /** The GPT architectures nanolens runs. */
    public enum Family {
        /**
         * nanochat v1: parameter-free RMSNorm, rotary positions, QK norm, relu² MLP, no biases, untied head, logits
         * soft-capped at 15.
         */
        NANOCHAT("nanochat"),
        /**
         * GPT-2 (Radford et al. 2019): learned positions, LayerNorm with weight and bias, GELU (tanh form), biases
         * on every linear layer, head tied to the token embedding.
         */
        GPT2("gpt2");

        private final String id;

        Family(String id) {
            this.id = id;
        }

        /** The name in JSON files and messages: "nanochat" or "gpt2". */
        @JsonValue
        public String id() {
            return id;
        }

        /**
         * The family named {@code id}.
         *
         * @throws NanolensException naming the known families if there is none of that name
         */
        @JsonCreator
        public static Family of(String id) {
            for (Family f : values()) {
                if (f.id.equals(id)) {
                    return f;
                }
            }
            throw new NanolensException("unknown model family \"" + id + "\"; expected \"nanochat\" or \"gpt2\"");
        }
    }

    public GptConfig {
        family = family == null ? Family.NANOCHAT : family;
        if (normEps == 0) {
            normEps = family == Family.NANOCHAT ? NANOCHAT_EPS : GPT2_EPS;
        }
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
        if (family == Family.NANOCHAT && (nEmbd / nHead) % 2 != 0) {
            throw new NanolensException("head dimension nEmbd / nHead = " + nEmbd / nHead
                    + " must be even (rotary embeddings rotate pairs of channels); change nEmbd or nHead");
        }
        if (family == Family.GPT2 && nKvHead != nHead) {
            throw new NanolensException("a GPT-2 has as many key/value heads as heads, but nKvHead is " + nKvHead
                    + " and nHead " + nHead + "; use nKvHead = nHead");
        }
        if (!(normEps > 0) || !Float.isFinite(normEps)) {
            throw new NanolensException("norm epsilon is " + normEps + " but must be a positive number (GPT-2 "
                    + "uses 1e-5)");
        }
        long biggest = Math.max((long) vocabSize * nEmbd, 4L * nEmbd * nEmbd);
        long span = family == Family.NANOCHAT ? ROTARY_SPAN : 1;
        if (biggest > Integer.MAX_VALUE - 8 || (long) sequenceLen * span * nEmbd > Integer.MAX_VALUE - 8) {
            throw new NanolensException("config " + vocabSize + " × " + nEmbd + " (context " + sequenceLen
                    + ") makes a tensor over 2^31 values; keep vocabSize·nEmbd, 4·nEmbd² and " + span
                    + "·sequenceLen·nEmbd below 2^31");
        }
    }

    /** A nanochat v1 config (the family most of nanolens trains and studies). */
    public GptConfig(int sequenceLen, int vocabSize, int nLayer, int nHead, int nKvHead, int nEmbd) {
        this(sequenceLen, vocabSize, nLayer, nHead, nKvHead, nEmbd, Family.NANOCHAT, NANOCHAT_EPS);
    }

    /**
     * A GPT-2 config in Hugging Face's terms (GPT2Config): n_positions, vocab_size, n_layer, n_head, n_embd,
     * layer_norm_epsilon.
     */
    public static GptConfig gpt2(int nPositions, int vocabSize, int nLayer, int nHead, int nEmbd, float eps) {
        return new GptConfig(nPositions, vocabSize, nLayer, nHead, nHead, nEmbd, Family.GPT2, eps);
    }

    /** GPT-2 small's shape (openai-community/gpt2, 124 M parameters): context 1024, V 50257, 12 × 12 heads, d 768. */
    public static GptConfig gpt2Small() {
        return gpt2(1024, 50257, 12, 12, 768, GPT2_EPS);
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

    /**
     * Most positions a sequence can reach: for nanochat what the rotary tables cover, {@link #ROTARY_SPAN} ×
     * sequenceLen; for GPT-2 the rows of its learned position table, sequenceLen.
     */
    public int maxPositions() {
        return family == Family.NANOCHAT ? ROTARY_SPAN * sequenceLen : sequenceLen;
    }

    /**
     * Number of trainable values. nanochat: 2·V·d for the embeddings plus (2d² + 2·d·kvDim + 8d²) per block;
     * GPT-2: V·d + T·d for the embeddings, 12d² + 13d per block (weights, biases, two LayerNorms) and 2d for ln_f.
     */
    public long parameterCount() {
        long d = nEmbd;
        if (family == Family.GPT2) {
            return (long) vocabSize * d + (long) sequenceLen * d + nLayer * (12 * d * d + 13 * d) + 2 * d;
        }
        long block = 2 * d * d + 2 * d * kvDim() + 8 * d * d;
        return 2L * vocabSize * d + nLayer * block;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new NanolensException(name + " is " + value + " but must be at least 1");
        }
    }

    /** Leaves the family out of JSON when it is nanochat, so nanochat's config.json keeps its six keys. */
    static final class NanochatFamily {
        @Override
        public boolean equals(Object value) {
            return value == null || value == Family.NANOCHAT;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Leaves ε out of JSON when it is nanochat's, for the same reason. */
    static final class NanochatEps {
        @Override
        public boolean equals(Object value) {
            return value instanceof Float f && f == NANOCHAT_EPS;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
