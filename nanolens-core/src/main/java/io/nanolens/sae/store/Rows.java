package io.nanolens.sae.store;

/** Argument checks shared by the streams of this package: a read of rows into a caller's buffer. */
final class Rows {
    private Rows() {
    }

    /** Checks that {@code maxRows ≥ 1} rows of {@code width} values fit into {@code dst} from row {@code fromRow}. */
    static void checkRead(float[] dst, int fromRow, int maxRows, int width) {
        if (maxRows < 1 || fromRow < 0 || ((long) fromRow + maxRows) * width > dst.length) {
            throw new IllegalArgumentException("cannot read " + maxRows + " rows of width " + width + " from row "
                    + fromRow + " into " + dst.length + " values");
        }
    }
}
