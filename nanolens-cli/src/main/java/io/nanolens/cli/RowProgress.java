package io.nanolens.cli;

import io.nanolens.sae.store.ActivationStream;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * An activation stream passed through unchanged while its rows are counted on screen: a progress bar with rows/s
 * and the ETA on a terminal, about twenty plain lines elsewhere. {@code collect} reads its harvest through it.
 */
final class RowProgress implements ActivationStream {
    private static final int LINES = 20;

    private final ActivationStream source;
    private final PrintWriter out;
    private final long total;
    private final ProgressBar bar;   // null when printing plain lines
    private final long started = System.nanoTime();
    private long rows;
    private long nextLine;

    RowProgress(ActivationStream source, long total, PrintWriter out, boolean terminal) {
        this.source = source;
        this.out = out;
        this.total = total;
        this.bar = terminal ? TrainingProgress.bar("collect", 0, total) : null;
        this.nextLine = Math.max(1, total / LINES);
    }

    @Override
    public int width() {
        return source.width();
    }

    @Override
    public int read(float[] dst, int fromRow, int maxRows) {
        int n = source.read(dst, fromRow, maxRows);
        rows += n;
        double seconds = (System.nanoTime() - started) / 1e9;
        double speed = seconds > 0 ? rows / seconds : 0;
        if (bar != null) {
            bar.stepTo(rows);
            bar.setExtraMessage(String.format(Locale.ROOT, "%,.0f rows/s", speed));
        } else if (rows >= nextLine) {
            String eta = speed > 0 ? TrainingProgress.duration((total - rows) / speed) : "?";
            out.printf(Locale.ROOT, "  %,d/%,d rows  %,.0f rows/s  ETA %s%n", rows, total, speed, eta);
            out.flush();
            while (nextLine <= rows) {
                nextLine += Math.max(1, total / LINES);
            }
        }
        return n;
    }

    /** Rows read so far. */
    long rows() {
        return rows;
    }

    /** Seconds since the stream was made. */
    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** Closes the bar, not the source (its owner closes it). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
