package io.nanolens.cli;

import io.nanolens.train.GptTrainer;
import io.nanolens.train.MetricsLog;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a training run as it goes: on a terminal a progress bar (step, ETA, and the loss, validation loss and
 * tokens/s as its message); elsewhere (a pipe, a CI log, a test) plain lines, about twenty per run plus every
 * evaluation, because the bar writes carriage returns and ANSI codes even where they do not render.
 */
final class TrainingProgress implements GptTrainer.Listener, AutoCloseable {
    private static final int LINES_PER_RUN = 20;

    private final PrintWriter out;
    private final long steps;
    private final long firstStep;
    private final long every;
    private final ProgressBar bar;   // null when printing plain lines
    private final long started = System.nanoTime();
    private Float lastValLoss;

    private TrainingProgress(PrintWriter out, long firstStep, long steps, boolean terminal) {
        this.out = out;
        this.steps = steps;
        this.firstStep = firstStep;
        this.every = Math.max(1, (steps - firstStep) / LINES_PER_RUN);
        this.bar = terminal ? bar("train", firstStep, steps) : null;
    }

    /** A display for a run at {@code firstStep} of {@code steps}; a bar only when standard output is a terminal. */
    static TrainingProgress of(PrintWriter out, long firstStep, long steps) {
        return new TrainingProgress(out, firstStep, steps, terminal());
    }

    /** Whether standard output is a terminal (so that carriage returns and ANSI codes render). */
    static boolean terminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** An ASCII progress bar on standard output named {@code task}, at {@code first} of {@code max}. */
    static ProgressBar bar(String task, long first, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).startsFrom(first, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.out)).build();
    }

    @Override
    public void onStep(MetricsLog.Entry e) {
        if (e.valLoss() != null) {
            lastValLoss = e.valLoss();
        }
        String message = String.format(Locale.ROOT, "loss %.3f%s | %,.0f tok/s", e.loss(),
                lastValLoss == null ? "" : String.format(Locale.ROOT, " | val %.3f", lastValLoss), e.tokensPerS());
        if (bar != null) {
            bar.stepTo(e.step());
            bar.setExtraMessage(message);
            return;
        }
        if (e.step() % every == 0 || e.step() == steps || e.valLoss() != null) {
            out.printf(Locale.ROOT, "  step %d/%d  %s  ETA %s%n", e.step(), steps, message, eta(e.step()));
            out.flush();
        }
    }

    /** Remaining time at this part's average pace so far. */
    private String eta(long step) {
        double seconds = (System.nanoTime() - started) / 1e9;
        long done = step - firstStep;
        return done <= 0 ? "?" : duration(seconds / done * (steps - step));
    }

    /** A duration as {@code 1h02m}, {@code 3m05s} or {@code 42s}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
