package io.nanolens.sae.store;

/**
 * A source of activation rows [n, width], read in pieces into the caller's buffer: what the harvester produces and
 * what a shuffle buffer, the shard writer and an SAE trainer consume, so that every stage of the activation store
 * can be stacked on every other (harvest → shuffle → train, or harvest → shards, shards → shuffle → train). A
 * stream is read once, by one thread; closing it releases what it holds open (documents, mapped shards).
 */
public interface ActivationStream extends AutoCloseable {

    /** Values per row (d_in of an SAE trained on this stream). */
    int width();

    /**
     * Copies the next rows into {@code dst}, row-major, starting at row {@code fromRow} (value index
     * {@code fromRow · width}); returns how many rows it copied, at least 1 and at most {@code maxRows} while rows
     * remain, 0 once the stream is exhausted (and on every later call).
     *
     * @throws IllegalArgumentException if {@code maxRows < 1} or the rows do not fit into {@code dst}
     */
    int read(float[] dst, int fromRow, int maxRows);

    /** Reads until {@code maxRows} rows are copied or the stream ends; returns the rows copied. */
    default int readFully(float[] dst, int fromRow, int maxRows) {
        int done = 0;
        while (done < maxRows) {
            int n = read(dst, fromRow + done, maxRows - done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * This stream with every value multiplied by {@code factor}, such as the normalisation factor of
     * {@link ActivationScaler}; closing the result closes this stream.
     */
    default ActivationStream scaled(float factor) {
        ActivationStream source = this;
        return new ActivationStream() {
            @Override
            public int width() {
                return source.width();
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int n = source.read(dst, fromRow, maxRows);
                int from = fromRow * source.width();
                int to = from + n * source.width();
                for (int i = from; i < to; i++) {
                    dst[i] *= factor;
                }
                return n;
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /** Releases what the stream holds open; the default holds nothing. */
    @Override
    default void close() {
    }
}
