package io.nanolens.sae.store;

import io.nanolens.NanolensException;

/**
 * An activation stream that passes its source's rows through unchanged and remembers the last {@code capacity} of
 * them in a ring: the sample on which a trainer's caller measures what the finished SAE does on the rows it
 * trained on last (feature densities for {@code sparsity.safetensors}, a live density histogram). Memory is the
 * ring, capacity · width floats, allocated once.
 */
public final class RecentRows implements ActivationStream {
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final ActivationStream source;
    private final int width;
    private final int capacity;
    private final float[] ring;     // [capacity, width]
    private int next;               // ring row the next row read goes to
    private long seen;              // rows passed through so far

    /**
     * Remembers the last {@code capacityRows} rows read from {@code source}.
     *
     * @throws NanolensException if the capacity is below 1 or capacity · width exceeds a Java array
     */
    public RecentRows(ActivationStream source, int capacityRows) {
        if (capacityRows < 1 || (long) capacityRows * source.width() > MAX_ARRAY) {
            throw new NanolensException("a sample of " + capacityRows + " rows × " + source.width()
                    + " values: use between 1 and " + MAX_ARRAY / source.width() + " rows");
        }
        this.source = source;
        this.width = source.width();
        this.capacity = capacityRows;
        this.ring = new float[capacityRows * width];
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int read(float[] dst, int fromRow, int maxRows) {
        int n = source.read(dst, fromRow, maxRows);
        int skip = Math.max(0, n - capacity);   // rows that a later row of the same read would overwrite
        for (int r = skip; r < n; r++) {
            System.arraycopy(dst, (fromRow + r) * width, ring, next * width, width);
            next = next + 1 == capacity ? 0 : next + 1;
        }
        seen += n;
        return n;
    }

    /** Rows remembered: the last min(capacity, rows read) rows. */
    public int held() {
        return (int) Math.min(capacity, seen);
    }

    /**
     * The rows remembered, oldest first, [held(), width] (a new array); {@code maxRows} limits it to the newest
     * {@code maxRows} of them.
     */
    public float[] rows(int maxRows) {
        int n = Math.min(held(), Math.max(0, maxRows));
        float[] out = new float[n * width];
        int start = Math.floorMod(next - n, capacity);
        for (int r = 0; r < n; r++) {
            System.arraycopy(ring, ((start + r) % capacity) * width, out, r * width, width);
        }
        return out;
    }

    /** Closes the source. */
    @Override
    public void close() {
        source.close();
    }
}
