package io.nanolens.cli;

import io.nanolens.sae.FeatureDensity;
import io.nanolens.sae.Sae;
import io.nanolens.sae.store.RecentRows;
import io.nanolens.sae.train.SaeMetrics;
import io.nanolens.sae.train.SaeTrainer;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code train-sae --live}: an ASCII view of the sweep redrawn in place about once a second, for a terminal only.
 * It plots the first SAE's FVU and L0 over the steps so far (each column the mean of its steps), draws the
 * histogram of its log10 feature densities on the last rows it trained on (the SAE as it is now, the shape
 * SAELens's dashboards plot), and lists every SAE's latest figures.
 */
final class SaeLiveView implements SaeTrainer.Listener {
    private static final String CLEAR = "\033[H\033[2J";
    private static final long REDRAW_NANOS = 1_000_000_000L;
    private static final int WIDTH = 60;
    private static final int HEIGHT = 7;
    private static final int DENSITY_ROWS = 4096;
    private static final int BAR = 40;

    private final PrintWriter out;
    private final Sae sae;
    private final RecentRows rows;
    private final int steps;
    private double[] fvu = new double[256];
    private double[] l0 = new double[256];
    private int points;
    private long lastDraw;
    private long firstTime;
    private long firstTokens = -1;

    SaeLiveView(PrintWriter out, Sae sae, RecentRows rows, int steps) {
        this.out = out;
        this.sae = sae;
        this.rows = rows;
        this.steps = steps;
    }

    @Override
    public void onStep(int step, long tokens, List<SaeMetrics> metrics) {
        long now = System.nanoTime();
        if (firstTokens < 0) {
            firstTime = now;
            firstTokens = tokens;
        }
        if (points == fvu.length) {
            fvu = Arrays.copyOf(fvu, 2 * points);
            l0 = Arrays.copyOf(l0, 2 * points);
        }
        fvu[points] = metrics.getFirst().fvu();
        l0[points++] = metrics.getFirst().l0();
        if (now - lastDraw < REDRAW_NANOS && step < steps) {
            return;
        }
        lastDraw = now;
        double seconds = (now - firstTime) / 1e9;
        StringBuilder view = new StringBuilder(CLEAR);
        view.append(String.format(Locale.ROOT, "nanolens train-sae  step %d/%d  %,.0f tok/s  (Ctrl-C stops at a "
                + "checkpoint)%n%n", step, steps, seconds > 0 ? (tokens - firstTokens) / seconds : 0));
        view.append(metrics.getFirst().sae()).append(String.format(": FVU%n"));
        chart(view, fvu);
        view.append(String.format("L0 (active latents per row)%n"));
        chart(view, l0);
        histogram(view);
        view.append(String.format("%n"));
        for (SaeMetrics m : metrics) {
            view.append(String.format(Locale.ROOT, "  %-24s %s%n", m.sae(), SaeProgress.describe(m)));
        }
        out.print(view);
        out.flush();
    }

    /** The series as a HEIGHT-row plot, at most WIDTH columns, labelled with its range. */
    private void chart(StringBuilder view, double[] series) {
        int columns = Math.min(WIDTH, points);
        double[] col = new double[columns];
        for (int c = 0; c < columns; c++) {
            int from = (int) ((long) c * points / columns);
            int to = (int) ((long) (c + 1) * points / columns);
            col[c] = Arrays.stream(series, from, Math.max(to, from + 1)).average().orElse(0);
        }
        double lo = Arrays.stream(col).min().orElse(0);
        double hi = Arrays.stream(col).max().orElse(1);
        double span = hi > lo ? hi - lo : 1;
        for (int r = HEIGHT - 1; r >= 0; r--) {
            String label = r == HEIGHT - 1 ? fmt(hi) : r == 0 ? fmt(lo) : "";
            view.append(String.format("%10s |", label));
            for (int c = 0; c < columns; c++) {
                view.append((int) Math.round((col[c] - lo) / span * (HEIGHT - 1)) == r ? '*' : ' ');
            }
            view.append(String.format("%n"));
        }
    }

    /** Latents per half decade of firing density, on the newest rows the SAE trained on. */
    private void histogram(StringBuilder view) {
        int n = Math.min(rows.held(), DENSITY_ROWS);
        if (n == 0) {
            return;
        }
        float[] density = FeatureDensity.of(sae, rows.rows(n), n);
        // Bin 0: never fired; bin b ≥ 1 holds log10 density in [-(bins-b+1)/2, -(bins-b)/2), the last one up to 0.
        int bins = (int) Math.ceil(2 * Math.log10(n)) + 1;
        int[] counts = new int[bins + 1];
        for (float p : density) {
            counts[p == 0 ? 0 : Math.min(bins, Math.max(1, bins - (int) Math.floor(-2 * Math.log10(p))))]++;
        }
        int max = Math.max(1, Arrays.stream(counts).max().orElse(1));
        view.append(String.format("log10 feature density on the last %d rows (%d latents)%n", n, density.length));
        for (int b = 0; b <= bins; b++) {
            String label = b == 0 ? "never" : String.format(Locale.ROOT, ">= %.1f", -(bins - b + 1) / 2.0);
            view.append(String.format("%10s |%s %d%n", label, "#".repeat(counts[b] * BAR / max), counts[b]));
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.3g", v);
    }
}
