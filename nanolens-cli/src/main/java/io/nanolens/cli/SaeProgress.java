package io.nanolens.cli;

import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeTrainer;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Shows an SAE sweep as it trains: on a terminal a progress bar (step, ETA, and the first SAE's mse, FVU, L0 and
 * dead fraction with the tokens/s as its message); elsewhere plain lines, about twenty per run, one per SAE.
 * The figures are those of the last batch, on the normalised activations the SAEs train on.
 */
final class SaeProgress implements SaeTrainer.Listener, AutoCloseable {
    private static final int LINES_PER_RUN = 20;

    private final PrintWriter out;
    private final int firstStep;
    private final int steps;
    private final int every;
    private final ProgressBar bar;   // null when printing plain lines
    private long firstTime;          // nanoTime and tokens at the first step shown: speed and ETA count from there
    private long firstTokens = -1;

    SaeProgress(PrintWriter out, int firstStep, int steps, boolean terminal) {
        this.out = out;
        this.firstStep = firstStep;
        this.steps = steps;
        this.every = Math.max(1, (steps - firstStep) / LINES_PER_RUN);
        this.bar = terminal ? TrainingProgress.bar("train-sae", firstStep, steps) : null;
    }

    @Override
    public void onStep(int step, long tokens, List<SaeMetrics> metrics) {
        if (firstTokens < 0) {
            firstTime = System.nanoTime();
            firstTokens = tokens;
        }
        double seconds = (System.nanoTime() - firstTime) / 1e9;
        String speed = String.format(Locale.ROOT, "%,.0f tok/s", seconds > 0 ? (tokens - firstTokens) / seconds : 0);
        if (bar != null) {
            bar.stepTo(step);
            SaeMetrics m = metrics.getFirst();
            bar.setExtraMessage(String.format(Locale.ROOT, "mse %.3g fvu %.3f l0 %.1f dead %.1f%% %s", m.mse(),
                    m.fvu(), m.l0(), 100 * m.deadFraction(), speed));
            return;
        }
        if (step % every == 0 || step == steps) {
            int done = step - firstStep - 1;
            String eta = done <= 0 ? "?" : TrainingProgress.duration(seconds / done * (steps - step));
            out.printf(Locale.ROOT, "  step %d/%d  %s  ETA %s%n", step, steps, speed, eta);
            for (SaeMetrics m : metrics) {
                out.printf(Locale.ROOT, "    %-24s %s%n", m.sae(), describe(m));
            }
            out.flush();
        }
    }

    /** mse, FVU, L0 and dead fraction of one SAE, in one short line. */
    static String describe(SaeMetrics m) {
        return String.format(Locale.ROOT, "mse %.4g fvu %.4f l0 %.1f dead %.1f%%", m.mse(), m.fvu(), m.l0(),
                100 * m.deadFraction());
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
