package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.text.Tokenizer;

import java.nio.file.Path;

/**
 * Stands in for the tokenizer of a Hugging Face model directory that names none nanolens can read: a vocabulary
 * other than GPT-2's 50,257 tokens and no nanolens {@code tokenizer.json}. The model still runs on token ids (its
 * vocabulary size and BOS id are known from config.json); whatever needs text fails with one line that says how to
 * supply the tokenizer. Built by {@link Gpt2Files}.
 */
final class UnknownTokenizer implements Tokenizer {
    private final Path dir;
    private final int vocabSize;
    private final int bosId;

    UnknownTokenizer(Path dir, int vocabSize, int bosId) {
        this.dir = dir;
        this.vocabSize = vocabSize;
        this.bosId = bosId;
    }

    @Override
    public int[] encode(String text) {
        throw missing();
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        throw missing();
    }

    @Override
    public byte[] tokenBytes(int id) {
        throw missing();
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public String name() {
        return "unknown-" + vocabSize;
    }

    @Override
    public void save(Path target) {
        throw missing();
    }

    private NanolensException missing() {
        return new NanolensException("the model in " + dir + " has " + vocabSize + " tokens, not GPT-2's 50257, and "
                + "no nanolens tokenizer.json, so its text cannot be encoded or decoded; save the tokenizer it was "
                + "trained with into " + dir + " (Tokenizer.save) or work on token ids");
    }
}
