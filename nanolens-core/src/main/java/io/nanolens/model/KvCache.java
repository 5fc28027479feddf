package io.nanolens.model;

import io.nanolens.NanolensException;

/**
 * The keys and values one sequence has produced so far, per layer, so incremental decoding feeds only new tokens
 * (one or a chunk at a time) and gets the same logits as a full forward pass. Keys are stored as attention reads
 * them (nanochat: after rotary and QK norm; GPT-2: after c_attn and its bias). Holds its own inference
 * {@link GptState} (batch 1) for the chunks. Used by {@link Sampler} and by {@link Gpt#forward(KvCache, int[], Hooks)}.
 */
public final class KvCache {
    final GptConfig config;
    private final int capacity;       // most positions, P
    private final float[][] keys;     // [L][P, kv]
    private final float[][] values;   // [L][P, kv]
    private final GptState state;     // buffers for a chunk of up to P tokens
    private int position;             // tokens cached so far

    /**
     * An empty cache for sequences of up to {@code capacity} tokens.
     *
     * @throws NanolensException if capacity is outside 1..{@link GptConfig#maxPositions()}
     */
    public KvCache(GptConfig config, int capacity) {
        if (capacity < 1 || capacity > config.maxPositions()) {
            throw new NanolensException("KV cache capacity " + capacity + " must be in 1.." + config.maxPositions()
                    + " (" + (config.family() == GptConfig.Family.NANOCHAT ? "10 × the context "
                    + config.sequenceLen() + ", the span of the rotary tables)" : "the rows of the position table)"));
        }
        this.config = config;
        this.capacity = capacity;
        keys = new float[config.nLayer()][capacity * config.kvDim()];
        values = new float[config.nLayer()][capacity * config.kvDim()];
        state = GptState.forInference(config, 1, capacity);
    }

    /** Tokens cached so far: the position the next token will take. */
    public int position() {
        return position;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets everything, ready for a new sequence. */
    public void reset() {
        position = 0;
    }

    /** Forgets the tokens from {@code newPosition} on, so decoding resumes there. */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new NanolensException("cannot rewind a KV cache at position " + position + " to " + newPosition
                    + "; use 0.." + position);
        }
        position = newPosition;
    }

    GptState state() {
        return state;
    }

    /** Checks that {@code count} more tokens fit. */
    void checkRoom(int count) {
        if (count < 1 || position + count > capacity) {
            throw new NanolensException("cannot add " + count + " tokens to a KV cache holding " + position + " of "
                    + capacity + "; add 1.." + (capacity - position) + " tokens or make a bigger cache");
        }
    }

    /** Copies a chunk's keys and values [rows, kv] to positions position..position+rows−1. */
    void store(int layer, float[] k, float[] v, int rows) {
        int kv = config.kvDim();
        System.arraycopy(k, 0, keys[layer], position * kv, rows * kv);
        System.arraycopy(v, 0, values[layer], position * kv, rows * kv);
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    void advance(int count) {
        position += count;
    }
}
