package io.nanolens.text;

import java.util.Arrays;

/**
 * A hash table from a pair of token ids to the id of the token that merges them: the BPE merge table as the
 * encoder probes it, once per adjacent pair. Open addressing with linear probing over primitive arrays, because a
 * {@code HashMap<Long, Integer>} would allocate a box per probe on the hot path. Not thread-safe for writes; reads
 * after construction are.
 */
final class PairIds {
    private static final long EMPTY = -1L; // ids are non-negative, so no real key is -1
    private long[] keys;  // [capacity] (left << 32) | right, or EMPTY
    private int[] values; // [capacity] merged id
    private int shift;    // 64 - log2(capacity): the hash's top bits pick the slot
    private int size;

    PairIds(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    /** The id that merges {@code left} and {@code right}, or -1 if they do not merge. */
    int get(int left, int right) {
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return values[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    /** Records that {@code left} followed by {@code right} merges into {@code id}; returns false if already there. */
    boolean put(int left, int right, int id) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        long key = key(left, right);
        int mask = keys.length - 1;
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = id;
        size++;
        return true;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(oldKeys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put((int) (oldKeys[i] >>> 32), (int) oldKeys[i], oldValues[i]);
            }
        }
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    // Fibonacci hashing: the golden-ratio multiply spreads the pair's bits into the top bits taken as the slot.
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
