package io.nanolens.text;

/**
 * What {@link Bpe#train(Iterable, BpeTrainingConfig)} produced and how fast: the tokenizer plus the figures the
 * command line prints (documents and characters read, distinct pre-split chunks, merges learnt, time spent counting
 * chunks and merging). The core prints nothing; the caller decides what to show.
 *
 * @param tokenizer      the trained tokenizer
 * @param documents      documents read (all or part of each)
 * @param characters     UTF-16 characters read after the per-document cap and the budget
 * @param bytes          UTF-8 bytes of those characters
 * @param uniqueChunks   distinct pre-split chunks counted
 * @param merges         merges learnt (fewer than asked when the text runs out of pairs)
 * @param countSeconds   time spent pre-splitting and counting chunks
 * @param mergeSeconds   time spent learning the merges
 */
public record BpeTrainingReport(Bpe tokenizer, long documents, long characters, long bytes, int uniqueChunks,
                                int merges, double countSeconds, double mergeSeconds) {

    public double seconds() {
        return countSeconds + mergeSeconds;
    }

    /** Training throughput in millions of UTF-8 bytes per second, counting and merging together. */
    public double megabytesPerSecond() {
        return seconds() > 0 ? bytes / 1e6 / seconds() : 0;
    }
}
