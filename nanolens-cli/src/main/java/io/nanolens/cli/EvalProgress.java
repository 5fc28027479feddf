package io.nanolens.cli;

import io.nanolens.eval.SaeEvaluation;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows an evaluation's progress on standard error, so that standard output keeps only the table or the JSON: on a
 * terminal a bar over the token budget; elsewhere (a pipe, a CI log, a test) a plain line at about every tenth of
 * the budget, because the bar writes carriage returns and ANSI codes even where they do not render.
 */
final class EvalProgress implements SaeEvaluation.Progress, AutoCloseable {
    private static final int LINES = 10;

    private final PrintWriter err;
    private final ProgressBar bar;   // null when printing plain lines
    private long nextLine;

    private EvalProgress(PrintWriter err, long budget, boolean terminal) {
        this.err = err;
        this.bar = terminal ? new ProgressBarBuilder().setTaskName("eval").setInitialMax(budget).setUnit(" tok", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
        this.nextLine = budget / LINES;
    }

    /** A display for an evaluation of at most {@code budget} tokens; a bar only when the console is a terminal. */
    static EvalProgress of(PrintWriter err, long budget) {
        Console console = System.console();
        return new EvalProgress(err, budget, console != null && console.isTerminal());
    }

    @Override
    public void update(long tokens, long budget) {
        if (bar != null) {
            bar.stepTo(tokens);
            return;
        }
        if (tokens >= nextLine || tokens >= budget) {
            err.printf(Locale.ROOT, "  eval: %,d of at most %,d tokens%n", tokens, budget);
            err.flush();
            nextLine = tokens + budget / LINES;
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
