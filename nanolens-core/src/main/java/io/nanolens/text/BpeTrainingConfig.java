package io.nanolens.text;

import io.nanolens.NanolensException;

/**
 * How {@link Bpe#train(Iterable, BpeTrainingConfig)} trains: the vocabulary size to reach (256 bytes + merges +
 * {@code <|bos|>}), the cap on each document's length and the budget of characters after which training stops
 * reading documents. Defaults follow nanochat's {@code scripts/tok_train.py} (10,000 characters per document,
 * 2 billion characters in all), with a vocabulary small enough for a CPU-sized model.
 *
 * @param vocabSize        tokens in the trained vocabulary, in [257, 2^20]
 * @param maxDocumentChars characters read from each document (the rest is ignored), at least 1
 * @param maxCharacters    characters read in all; training stops reading documents when they are used up
 */
public record BpeTrainingConfig(int vocabSize, int maxDocumentChars, long maxCharacters) {
    public static final int DEFAULT_VOCAB_SIZE = 4096;
    public static final int DEFAULT_MAX_DOCUMENT_CHARS = 10_000;
    public static final long DEFAULT_MAX_CHARACTERS = 2_000_000_000L;
    /** Smallest vocabulary: the 256 bytes and {@code <|bos|>}, no merges. */
    public static final int MIN_VOCAB_SIZE = MergeTable.BYTE_TOKENS + 1;
    // Token ids are packed two to a long key and into int arrays; a million tokens is far beyond any use here.
    public static final int MAX_VOCAB_SIZE = 1 << 20;

    public BpeTrainingConfig {
        if (vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
            throw new NanolensException("BPE vocabulary size " + vocabSize + " is out of range: use "
                    + MIN_VOCAB_SIZE + " to " + MAX_VOCAB_SIZE + " (256 bytes + merges + <|bos|>)");
        }
        if (maxDocumentChars < 1) {
            throw new NanolensException("maximum document length " + maxDocumentChars
                    + " must be at least 1 character");
        }
        if (maxCharacters < 1) {
            throw new NanolensException("character budget " + maxCharacters
                    + " must be at least 1 character");
        }
    }

    /** The defaults with the given vocabulary size. */
    public static BpeTrainingConfig ofVocabSize(int vocabSize) {
        return new BpeTrainingConfig(vocabSize, DEFAULT_MAX_DOCUMENT_CHARS, DEFAULT_MAX_CHARACTERS);
    }

    /** This configuration with another character budget. */
    public BpeTrainingConfig withMaxCharacters(long characters) {
        return new BpeTrainingConfig(vocabSize, maxDocumentChars, characters);
    }
}
