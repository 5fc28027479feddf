package io.nanolens.cli;

import io.nanolens.analysis.FeatureAnalysis;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a feature analysis as it goes: on a terminal a progress bar over the corpus tokens (with tokens/s and the
 * ETA), elsewhere about ten plain lines per stage, as {@link TrainingProgress} does for training.
 */
final class AnalysisProgress implements FeatureAnalysis.Listener, AutoCloseable {
    private static final int LINES_PER_STAGE = 10;

    private final PrintWriter out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private ProgressBar bar;   // the current stage's bar, on a terminal
    private String stage = "";
    private long nextLine;
    private long lastDone;

    private AnalysisProgress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A display that draws a bar only when standard output is a terminal. */
    static AnalysisProgress of(PrintWriter out) {
        Console console = System.console();
        return new AnalysisProgress(out, console != null && console.isTerminal());
    }

    @Override
    public void onProgress(String newStage, long done, long total) {
        if (newStage.equals(FeatureAnalysis.STAGE_WEIGHTS)) {
            close();
            if (done == total) {
                line(newStage, "logit effects and decoder neighbours");
            }
            return;
        }
        if (!newStage.equals(stage) || done < lastDone) {
            close();
            stage = newStage;
            nextLine = 0;
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName(newStage).setInitialMax(total).setUnit(" tok", 1)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(System.out)).build();
            }
        }
        lastDone = done;
        if (bar != null) {
            bar.stepTo(done);
        } else if (done >= nextLine) {
            line(newStage, String.format(Locale.ROOT, "%,d tokens", done));
            nextLine = done + Math.max(1, total / LINES_PER_STAGE);
        }
    }

    private void line(String stageName, String what) {
        out.printf(Locale.ROOT, "  %-9s %s  (%.1f s)%n", stageName, what, (System.nanoTime() - started) / 1e9);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
