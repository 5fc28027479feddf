package io.nanolens.text;

import java.util.PriorityQueue;

/**
 * The merges of a byte-level BPE and the bytes of every token they define: ids 0..255 are the single bytes, merge
 * {@code r} creates id {@code 256 + r} from two earlier ids. Applies the merges to one pre-split chunk the way
 * tiktoken's {@code byte_pair_merge} does: repeatedly merge the adjacent pair whose merge came first (the lowest new
 * id; leftmost on ties) until no adjacent pair has a merge. This gives the same result as applying the merges one
 * by one in rank order. Immutable and thread-safe.
 */
final class MergeTable {
    /** Number of base tokens: one per byte value. */
    static final int BYTE_TOKENS = 256;
    // Above this many bytes a chunk is merged with a heap (n log n) instead of rescanning the pair ranks (n²).
    private static final int LONG_CHUNK_BYTES = 128;
    private static final int NO_MERGE = Integer.MAX_VALUE;

    private final int[] lefts;        // [merges] left id of merge r
    private final int[] rights;       // [merges] right id of merge r
    private final byte[][] bytes;     // [256 + merges] UTF-8 (or partial UTF-8) bytes of each token
    private final PairIds ids;        // (left, right) → 256 + r

    /** Builds the table; the caller has checked that merge r only refers to ids below 256 + r, each pair once. */
    MergeTable(int[] lefts, int[] rights) {
        if (lefts.length != rights.length) {
            throw new IllegalStateException("merge sides differ in length: " + lefts.length + " vs " + rights.length);
        }
        this.lefts = lefts.clone();
        this.rights = rights.clone();
        bytes = new byte[BYTE_TOKENS + lefts.length][];
        ids = new PairIds(lefts.length);
        for (int b = 0; b < BYTE_TOKENS; b++) {
            bytes[b] = new byte[] {(byte) b};
        }
        for (int r = 0; r < lefts.length; r++) {
            int id = BYTE_TOKENS + r;
            boolean known = lefts[r] >= 0 && lefts[r] < id && rights[r] >= 0 && rights[r] < id;
            if (!known || !ids.put(lefts[r], rights[r], id)) {
                throw new IllegalStateException("merge " + r + " is invalid or repeated");
            }
            byte[] a = bytes[lefts[r]];
            byte[] b = bytes[rights[r]];
            bytes[id] = new byte[a.length + b.length];
            System.arraycopy(a, 0, bytes[id], 0, a.length);
            System.arraycopy(b, 0, bytes[id], a.length, b.length);
        }
    }

    int merges() {
        return lefts.length;
    }

    /** Number of tokens the merges define: 256 bytes plus one per merge (no special tokens). */
    int tokens() {
        return bytes.length;
    }

    int left(int merge) {
        return lefts[merge];
    }

    int right(int merge) {
        return rights[merge];
    }

    /** The bytes of token {@code id}; shared, do not modify. */
    byte[] bytes(int id) {
        return bytes[id];
    }

    /** The id that {@code left} followed by {@code right} merge into, or -1. */
    int merged(int left, int right) {
        return ids.get(left, right);
    }

    /**
     * Merges the tokens {@code parts[0, n)} in place and returns how many remain. {@code scratch} must hold n ints.
     */
    int apply(int[] parts, int n, int[] scratch) {
        return n > LONG_CHUNK_BYTES ? applyWithHeap(parts, n) : applyByScanning(parts, n, scratch);
    }

    /** tiktoken's loop: keep the rank of every adjacent pair, merge the smallest, recompute its two neighbours. */
    private int applyByScanning(int[] parts, int n, int[] ranks) {
        for (int i = 0; i + 1 < n; i++) {
            ranks[i] = rank(parts[i], parts[i + 1]);
        }
        while (n > 1) {
            int best = NO_MERGE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            parts[at] = best;
            System.arraycopy(parts, at + 2, parts, at + 1, n - at - 2);
            if (n - at - 3 > 0) {
                System.arraycopy(ranks, at + 2, ranks, at + 1, n - at - 3);
            }
            n--;
            ranks[at] = at + 1 < n ? rank(parts[at], parts[at + 1]) : NO_MERGE;
            if (at > 0) {
                ranks[at - 1] = rank(parts[at - 1], parts[at]);
            }
        }
        return n;
    }

    /**
     * The same merge order over a doubly linked list with a min-heap of (rank, position) entries; an entry is
     * dropped when popped if its pair has changed since it was pushed (lazy deletion).
     */
    private int applyWithHeap(int[] parts, int n) {
        int[] next = new int[n]; // [n] index of the following live token, or -1
        int[] prev = new int[n]; // [n] index of the preceding live token, or -1
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
            if (i + 1 < n) {
                push(heap, parts[i], parts[i + 1], i);
            }
        }
        while (!heap.isEmpty()) {
            long entry = heap.poll();
            int rank = (int) (entry >>> 32);
            int at = (int) entry;
            int after = next[at];
            if (parts[at] < 0 || after < 0 || rank(parts[at], parts[after]) != rank) {
                continue;
            }
            parts[at] = rank;
            parts[after] = -1;
            next[at] = next[after];
            if (next[at] >= 0) {
                prev[next[at]] = at;
                push(heap, parts[at], parts[next[at]], at);
            }
            if (prev[at] >= 0) {
                push(heap, parts[prev[at]], parts[at], prev[at]);
            }
        }
        int kept = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            parts[kept++] = parts[i];
        }
        return kept;
    }

    private void push(PriorityQueue<Long> heap, int left, int right, int at) {
        int rank = rank(left, right);
        if (rank != NO_MERGE) {
            heap.add(((long) rank << 32) | at); // rank first, then position: leftmost wins a tie
        }
    }

    private int rank(int left, int right) {
        int id = ids.get(left, right);
        return id < 0 ? NO_MERGE : id;
    }
}
