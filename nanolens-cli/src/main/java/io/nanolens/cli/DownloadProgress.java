package io.nanolens.cli;

import io.nanolens.hub.DownloadListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows downloads from the Hugging Face hub on standard error, so standard output stays the command's own: on a
 * terminal a bar per file (MB, MB/s, ETA), elsewhere a line when a file starts, at each quarter of a large one, at
 * a dropped connection and at the end. Counts what it fetched for a summary.
 */
final class DownloadProgress implements DownloadListener, AutoCloseable {
    private static final long MB = 1 << 20;
    /** Files below this size get no quarter lines. */
    private static final long QUARTERS_FROM = 16 * MB;

    private final PrintWriter err;
    private final boolean terminal;
    private ProgressBar bar;   // the current file's, on a terminal
    private long size;
    private long start;
    private long nextLine;
    private long startedAt;
    private int files;
    private long bytes;

    DownloadProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Files fetched so far (not those the cache already held). */
    int files() {
        return files;
    }

    /** Bytes fetched so far. */
    long bytes() {
        return bytes;
    }

    @Override
    public void started(String file, long size, long start) {
        this.size = size;
        this.start = start;
        this.startedAt = System.nanoTime();
        this.nextLine = size / 4;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(file.substring(file.lastIndexOf('/') + 1))
                    .setInitialMax(size).startsFrom(start, Duration.ZERO).setUnit(" MB", MB)
                    .showSpeed(new DecimalFormat("0.0")).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
            return;
        }
        err.printf(Locale.ROOT, "  fetching %s (%s)%s%n", file, mb(size), start > 0 ? ", resuming at " + mb(start) : "");
        err.flush();
    }

    @Override
    public void progressed(String file, long done) {
        if (bar != null) {
            bar.stepTo(done);
        } else if (size >= QUARTERS_FROM && done >= nextLine && done < size) {
            err.printf(Locale.ROOT, "  %s %d%% (%s of %s)%n", file, done * 100 / size, mb(done), mb(size));
            err.flush();
            while (nextLine <= done) {
                nextLine += size / 4;
            }
        }
    }

    @Override
    public void retrying(String file, long done, String reason) {
        if (bar != null) {
            bar.setExtraMessage("resuming after: " + reason);
            return;
        }
        err.printf(Locale.ROOT, "  %s: connection lost at %s (%s); resuming%n", file, mb(done), reason);
        err.flush();
    }

    @Override
    public void finished(String file, long fileSize) {
        close();
        files++;
        bytes += fileSize - start;
        if (!terminal) {
            double seconds = Math.max(1e-3, (System.nanoTime() - startedAt) / 1e9);
            err.printf(Locale.ROOT, "  %s done: %s in %s (%.1f MB/s)%n", file, mb(fileSize),
                    TrainingProgress.duration(seconds), (fileSize - start) / seconds / MB);
            err.flush();
        }
    }

    /** A byte count in MB (or kB below 1 MB). */
    static String mb(long n) {
        return n < MB ? String.format(Locale.ROOT, "%.1f kB", n / 1024.0)
                : String.format(Locale.ROOT, "%.1f MB", n / (double) MB);
    }

    /** Closes the bar of a file that did not finish (an error ends the command). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
