package io.nanolens.text;

/**
 * The ids of recently encoded chunks, so that frequent words are merged once: a direct-mapped table (a chunk's
 * hash picks its one slot; a newcomer replaces the old entry), looked up by a range of the text without copying it.
 * Its size is fixed, so it needs no eviction. Thread-safe without locks: entries are immutable records whose final
 * fields are safely published, and a reader that sees an older entry, or none, merely recomputes.
 */
final class ChunkCache {
    private final Entry[] slots; // [2^bits]
    private final int shift;     // 32 - bits: the hash's top bits pick the slot

    private record Entry(String chunk, int[] ids) {
    }

    ChunkCache(int bits) {
        slots = new Entry[1 << bits];
        shift = 32 - bits;
    }

    /** A hash of {@code text[start, end)} to pass to {@link #get} and {@link #put}. */
    static int hash(String text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h * 0x9E3779B9; // golden-ratio multiply: moves the low bits' variation into the top bits
    }

    /** The cached ids of {@code text[start, end)}, or null; shared, do not modify. */
    int[] get(String text, int start, int end, int hash) {
        Entry e = slots[hash >>> shift];
        if (e != null && e.chunk.length() == end - start && e.chunk.regionMatches(0, text, start, end - start)) {
            return e.ids;
        }
        return null;
    }

    void put(String chunk, int[] ids, int hash) {
        slots[hash >>> shift] = new Entry(chunk, ids);
    }
}
