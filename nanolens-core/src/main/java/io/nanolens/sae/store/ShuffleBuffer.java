package io.nanolens.sae.store;

import io.nanolens.NanolensException;

import java.util.SplittableRandom;

/**
 * A bounded shuffle buffer over an activation stream, so that an SAE trainer sees rows from many contexts and
 * documents in every batch instead of one context's consecutive tokens. It works as SAELens's mixing buffer
 * ({@code mixing_buffer} in {@code activations_store.py}): fill to capacity, hand out half the rows in random order,
 * refill, and at the end of the source hand out the rest. Each row handed out is drawn uniformly from the rows held
 * (swap-remove, so only handed-out rows are copied, never the whole buffer), and while the source lasts more than
 * half the capacity is held at every draw. The buffer is one array of capacity · width floats, allocated once:
 * memory stays bounded whatever the stream's length. Every row of the source comes out exactly once.
 */
public final class ShuffleBuffer implements ActivationStream {
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final ActivationStream source;
    private final int width;
    private final int capacity;
    private final float[] buffer;   // [capacity, width], rows [0, held) are live
    private final SplittableRandom random;
    private int held;
    private boolean sourceDone;

    /**
     * A buffer of {@code capacityRows} rows over {@code source}, drawing with {@code seed}.
     *
     * @throws NanolensException if the capacity is below 1 or capacity · width exceeds a Java array
     */
    public ShuffleBuffer(ActivationStream source, int capacityRows, long seed) {
        if (capacityRows < 1 || (long) capacityRows * source.width() > MAX_ARRAY) {
            throw new NanolensException("shuffle buffer of " + capacityRows + " rows × " + source.width()
                    + " values: use between 1 and " + MAX_ARRAY / source.width() + " rows");
        }
        this.source = source;
        this.width = source.width();
        this.capacity = capacityRows;
        this.buffer = new float[capacityRows * width];
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int width() {
        return width;
    }

    /** The most rows the buffer ever holds. */
    public int capacity() {
        return capacity;
    }

    /** Rows held right now. */
    public int held() {
        return held;
    }

    @Override
    public int read(float[] dst, int fromRow, int maxRows) {
        Rows.checkRead(dst, fromRow, maxRows, width);
        int n = 0;
        while (n < maxRows) {
            if (held <= capacity / 2 && !sourceDone) {
                refill();
            }
            if (held == 0) {
                break;
            }
            int pick = random.nextInt(held);
            System.arraycopy(buffer, pick * width, dst, (fromRow + n) * width, width);
            held--;
            if (pick != held) {
                System.arraycopy(buffer, held * width, buffer, pick * width, width);
            }
            n++;
        }
        return n;
    }

    /** Closes the source. */
    @Override
    public void close() {
        source.close();
    }

    private void refill() {
        int want = capacity - held;
        int got = source.readFully(buffer, held, want);
        held += got;
        sourceDone = got < want;
    }
}
