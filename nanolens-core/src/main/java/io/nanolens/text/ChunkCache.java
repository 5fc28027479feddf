package io.nanolens.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The ids of recently encoded chunks, so that frequent words are merged once: a direct-mapped table (a chunk's
 * hash picks its one slot; a newcomer replaces the old entry), looked up by a range of the text without copying it.
 * Its size is fixed, so it needs no eviction. Each entry is one int array {@code [hash, n, n chars, ids...]}, so a
 * hit costs two dependent memory loads (slot, entry), not four (slot, record, string, bytes). Thread-safe without
 * locks: an entry is never modified after it is published with release/acquire ordering, and a reader that sees an
 * older entry, or none, merely recomputes.
 */
final class ChunkCache {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[][].class);
    private static final int HEADER = 2; // hash, number of chars

    private final int[][] slots; // [2^bits] entries or null
    private final int shift;     // 32 - bits: the hash's top bits pick the slot

    ChunkCache(int bits) {
        slots = new int[1 << bits][];
        shift = 32 - bits;
    }

    /** A hash of {@code text[start, end)} to pass to {@link #get} and {@link #put}. */
    static int hash(String text, int start, int end) {
        int h = end - start;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h * 0x9E3779B9; // golden-ratio multiply: moves the low bits' variation into the top bits
    }

    /**
     * The entry holding the ids of {@code text[start, end)}, or null; the ids are {@code entry[idsFrom(entry),
     * entry.length)}. Shared, do not modify.
     */
    int[] get(String text, int start, int end, int hash) {
        int[] e = (int[]) SLOT.getAcquire(slots, hash >>> shift);
        if (e == null || e[0] != hash || e[1] != end - start) {
            return null;
        }
        for (int i = start, k = HEADER; i < end; i++, k++) {
            if (e[k] != text.charAt(i)) {
                return null;
            }
        }
        return e;
    }

    /** Where the ids start in an entry returned by {@link #get}. */
    static int idsFrom(int[] entry) {
        return HEADER + entry[1];
    }

    /** Remembers that {@code text[start, end)} encodes to {@code ids[0, n)}. */
    void put(String text, int start, int end, int hash, int[] ids, int n) {
        int chars = end - start;
        int[] e = new int[HEADER + chars + n];
        e[0] = hash;
        e[1] = chars;
        for (int i = 0; i < chars; i++) {
            e[HEADER + i] = text.charAt(start + i);
        }
        System.arraycopy(ids, 0, e, HEADER + chars, n);
        SLOT.setRelease(slots, hash >>> shift, e);
    }
}
