package io.nanolens.text;

import io.nanolens.tensor.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns BPE merges from text the way nanochat's rustbpe does: pre-split every document with {@link Bpe#PATTERN}
 * (through {@link PreSplitter}), count the distinct chunks (in parallel, one map per worker), then merge the most
 * frequent adjacent pair of tokens again and again. Only the chunks that contain the chosen pair are touched: an
 * inverted index maps each pair to the chunks it occurs in, and a max-heap of (count, pair) entries is corrected
 * lazily (an entry whose count has gone stale is pushed again with the current count). Pair counts are exact
 * (overlapping occurrences count, as in minbpe's {@code get_stats}); ties go to the pair with the smaller left id,
 * then the smaller right id. Sennrich et al. 2016; rustbpe in github.com/karpathy/nanochat.
 */
final class BpeTrainer {
    // Documents are counted in batches of about this many characters, spread over the worker threads.
    private static final int BATCH_CHARS = 1 << 22;

    private final BpeTrainingConfig config;
    private long documents;
    private long characters;

    BpeTrainer(BpeTrainingConfig config) {
        this.config = config;
    }

    /** Counts the chunks of {@code texts}, learns the merges and returns the tokenizer with its figures. */
    BpeTrainingReport train(Iterable<String> texts) {
        long start = System.nanoTime();
        Map<String, long[]> chunkCounts = countChunks(texts);
        long counted = System.nanoTime();
        Words words = Words.of(chunkCounts);
        int[][] merges = learnMerges(words, config.vocabSize() - MergeTable.BYTE_TOKENS - 1);
        long merged = System.nanoTime();
        Bpe bpe = new Bpe(Bpe.PATTERN, new MergeTable(merges[0], merges[1]));
        return new BpeTrainingReport(bpe, documents, characters, words.totalBytes, chunkCounts.size(),
                merges[0].length, (counted - start) / 1e9, (merged - counted) / 1e9);
    }

    private Map<String, long[]> countChunks(Iterable<String> texts) {
        List<Map<String, long[]>> perWorker = new ArrayList<>();
        for (int w = 0; w < Parallel.threads(); w++) {
            perWorker.add(new HashMap<>());
        }
        List<String> batch = new ArrayList<>();
        int batchChars = 0;
        for (String text : texts) {
            long remaining = config.maxCharacters() - characters;
            String kept = truncate(text, (int) Math.min(config.maxDocumentChars(), remaining));
            batch.add(kept);
            batchChars += kept.length();
            documents++;
            characters += kept.length();
            if (batchChars >= BATCH_CHARS || characters >= config.maxCharacters()) {
                countBatch(batch, perWorker);
                batch.clear();
                batchChars = 0;
            }
            if (characters >= config.maxCharacters()) {
                break;
            }
        }
        countBatch(batch, perWorker);
        Map<String, long[]> all = perWorker.getFirst();
        for (Map<String, long[]> other : perWorker.subList(1, perWorker.size())) {
            other.forEach((chunk, count) -> all.computeIfAbsent(chunk, c -> new long[1])[0] += count[0]);
        }
        return all;
    }

    private void countBatch(List<String> batch, List<Map<String, long[]>> perWorker) {
        Parallel.forEach(batch.size(), (index, worker) -> {
            Map<String, long[]> counts = perWorker.get(worker);
            String text = batch.get(index);
            for (int start = 0, end; start < text.length(); start = end) {
                end = PreSplitter.chunkEnd(text, start);
                counts.computeIfAbsent(text.substring(start, end), c -> new long[1])[0]++;
            }
        });
    }

    /** The first {@code max} characters of {@code text}, one fewer if the cut would split a surrogate pair. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    /** Learns up to {@code count} merges, shrinking the words in place; returns {lefts, rights}. */
    private static int[][] learnMerges(Words words, int count) {
        Pairs pairs = new Pairs();
        IntList all = new IntList();
        for (int w = 0; w < words.size(); w++) {
            words.addPairs(w, +1, pairs, -1, all);
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>();
        for (int i = 0; i < all.size; i++) {
            int p = all.values[i];
            heap.add(new Candidate(pairs.count[p], pairs.left[p], pairs.right[p], p));
        }
        int[] lefts = new int[count];
        int[] rights = new int[count];
        int made = 0;
        while (made < count && !heap.isEmpty()) {
            Candidate top = heap.poll();
            long current = pairs.count[top.pair];
            if (current != top.count) {
                if (current > 0) {
                    heap.add(new Candidate(current, top.left, top.right, top.pair));
                }
                continue;
            }
            int id = MergeTable.BYTE_TOKENS + made;
            lefts[made] = top.left;
            rights[made] = top.right;
            made++;
            IntList created = new IntList();
            IntList where = pairs.words[top.pair];
            for (int i = 0; i < where.size; i++) {
                int w = where.values[i];
                if (words.contains(w, top.left, top.right)) {
                    words.addPairs(w, -1, pairs, -1, created);
                    words.merge(w, top.left, top.right, id);
                    words.addPairs(w, +1, pairs, id, created);
                }
            }
            assert pairs.count[top.pair] == 0 : top + " still counted " + pairs.count[top.pair] + " times";
            pairs.words[top.pair] = null; // never needed again: the pair is gone for good
            for (int i = 0; i < created.size; i++) {
                int p = created.values[i];
                heap.add(new Candidate(pairs.count[p], pairs.left[p], pairs.right[p], p));
            }
        }
        return new int[][] {Arrays.copyOf(lefts, made), Arrays.copyOf(rights, made)};
    }

    /**
     * Every pair seen so far, by index: its ids, its exact count over all words and the words it has occurred in
     * (some may have lost it since). Primitive arrays and {@link PairIds} instead of a map of boxed keys: a
     * {@code Long} key hashes to {@code left ^ right}, which collides for most pairs of small ids.
     */
    private static final class Pairs {
        final PairIds index = new PairIds(1 << 16);
        int[] left = new int[1 << 16];
        int[] right = new int[1 << 16];
        long[] count = new long[1 << 16];
        IntList[] words = new IntList[1 << 16];
        int size;

        /** The index of (l, r), added with count 0 if new; a new index is also appended to {@code created}. */
        int indexOf(int l, int r, IntList created) {
            int p = index.get(l, r);
            if (p >= 0) {
                return p;
            }
            if (size == left.length) {
                left = Arrays.copyOf(left, 2 * size);
                right = Arrays.copyOf(right, 2 * size);
                count = Arrays.copyOf(count, 2 * size);
                words = Arrays.copyOf(words, 2 * size);
            }
            p = size++;
            index.put(l, r, p);
            left[p] = l;
            right[p] = r;
            words[p] = new IntList();
            created.add(p);
            return p;
        }
    }

    /** A heap entry for pair number {@code pair}: the most frequent pair first, then the smallest (left, right). */
    private record Candidate(long count, int left, int right, int pair) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            if (count != o.count) {
                return Long.compare(o.count, count);
            }
            return left != o.left ? Integer.compare(left, o.left) : Integer.compare(right, o.right);
        }
    }

    /** A growable int array. */
    private static final class IntList {
        int[] values = new int[4];
        int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /** The distinct chunks as token sequences (initially their UTF-8 bytes) with how often each chunk occurred. */
    private static final class Words {
        final int[][] tokens;  // [words][length[w]] token ids
        final int[] length;    // [words]
        final long[] counts;   // [words]
        long totalBytes;

        private Words(int n) {
            tokens = new int[n][];
            length = new int[n];
            counts = new long[n];
        }

        static Words of(Map<String, long[]> chunkCounts) {
            Words words = new Words(chunkCounts.size());
            int w = 0;
            int[] buffer = new int[16];
            for (Map.Entry<String, long[]> e : chunkCounts.entrySet()) {
                String chunk = e.getKey();
                if (buffer.length < Utf8.MAX_BYTES_PER_CHAR * chunk.length()) {
                    buffer = new int[Utf8.MAX_BYTES_PER_CHAR * chunk.length()];
                }
                int n = Utf8.encode(chunk, 0, chunk.length(), buffer);
                words.tokens[w] = Arrays.copyOf(buffer, n);
                words.length[w] = n;
                words.counts[w] = e.getValue()[0];
                words.totalBytes += n * e.getValue()[0];
                w++;
            }
            return words;
        }

        int size() {
            return tokens.length;
        }

        boolean contains(int w, int left, int right) {
            int[] t = tokens[w];
            for (int i = 0; i + 1 < length[w]; i++) {
                if (t[i] == left && t[i + 1] == right) {
                    return true;
                }
            }
            return false;
        }

        /** Replaces every non-overlapping (left, right) in word w, left to right, by {@code id}. */
        void merge(int w, int left, int right, int id) {
            int[] t = tokens[w];
            int n = length[w];
            int out = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && t[i] == left && t[i + 1] == right) {
                    t[out++] = id;
                    i++;
                } else {
                    t[out++] = t[i];
                }
            }
            length[w] = out;
        }

        /**
         * Adds {@code sign × count} of word w to each of its pairs, registering pairs not seen before in
         * {@code created}; with sign +1, also indexes w under its pairs that contain {@code newId} (all of them when
         * {@code newId} is -1).
         */
        void addPairs(int w, int sign, Pairs pairs, int newId, IntList created) {
            int[] t = tokens[w];
            for (int i = 0; i + 1 < length[w]; i++) {
                int p = pairs.indexOf(t[i], t[i + 1], created);
                pairs.count[p] += sign * counts[w];
                IntList where = pairs.words[p];
                if (sign > 0 && (newId < 0 || t[i] == newId || t[i + 1] == newId)
                        && (where.size == 0 || where.values[where.size - 1] != w)) {
                    where.add(w);
                }
            }
        }
    }
}
