package io.nanolens.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Histograms stacked as the rows of a heat map, as inline SVG (no script, no network): each row one histogram over
 * the same bin edges (one SAE checkpoint's log10 feature densities in {@code study emergence}), each cell shaded by
 * its count on a square-root scale (so a bin of a few features still shows next to one of hundreds), white for
 * zero, with the count in the cell's hover title. Every text is escaped.
 */
public final class HeatMap {
    private static final int WIDTH = 640;
    private static final int LEFT = 130;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;
    private static final int MAX_ROW_HEIGHT = 28;
    private static final int MAX_HEIGHT = 520;

    private final String title;
    private final String xTitle;
    private final double[] edges;
    private final List<String> labels = new ArrayList<>();
    private final List<long[]> rows = new ArrayList<>();

    /**
     * An empty map over the bins {@code edges} ([bins + 1], increasing).
     *
     * @throws IllegalArgumentException if there is no bin or the edges do not increase
     */
    public HeatMap(String title, String xTitle, double[] edges) {
        if (edges.length < 2) {
            throw new IllegalArgumentException("a heat map needs at least one bin (two edges), got " + edges.length);
        }
        for (int i = 1; i < edges.length; i++) {
            if (!(edges[i] > edges[i - 1])) {
                throw new IllegalArgumentException("bin edges must increase: " + Arrays.toString(edges));
            }
        }
        this.title = title;
        this.xTitle = xTitle;
        this.edges = edges.clone();
    }

    /**
     * Adds a row below the others.
     *
     * @throws IllegalArgumentException if the counts are not one per bin or one is negative
     */
    public HeatMap row(String label, long[] counts) {
        if (counts.length != edges.length - 1) {
            throw new IllegalArgumentException("row '" + label + "' has " + counts.length + " counts for "
                    + (edges.length - 1) + " bins");
        }
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("row '" + label + "' has a negative count " + c);
            }
        }
        labels.add(label);
        rows.add(counts.clone());
        return this;
    }

    /** The map as an {@code <svg>} element. */
    public String svg() {
        int bins = edges.length - 1;
        int rowHeight = rows.isEmpty() ? MAX_ROW_HEIGHT
                : Math.max(4, Math.min(MAX_ROW_HEIGHT, (MAX_HEIGHT - TOP - BOTTOM) / rows.size()));
        int height = TOP + rowHeight * Math.max(1, rows.size()) + BOTTOM;
        double cellW = (WIDTH - LEFT - RIGHT) / (double) bins;
        long max = 1;
        for (long[] r : rows) {
            for (long c : r) {
                max = Math.max(max, c);
            }
        }
        StringBuilder sb = ScatterPlot.open(WIDTH, height, LEFT, title);
        for (int r = 0; r < rows.size(); r++) {
            int y = TOP + r * rowHeight;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    y + rowHeight / 2.0 + 4, ScatterPlot.escape(labels.get(r))));
            for (int b = 0; b < bins; b++) {
                long count = rows.get(r)[b];
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                                + "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\"><title>%s</title></rect>%n",
                        LEFT + b * cellW, y, cellW, rowHeight, shade(count, max), ScatterPlot.escape(String.format(
                                Locale.ROOT, "%s: %d in [%s, %s)", labels.get(r), count, edge(edges[b]),
                                edge(edges[b + 1])))));
            }
        }
        int step = Math.max(1, (int) Math.ceil(bins / 10.0));
        for (int b = 0; b <= bins; b += step) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    LEFT + b * cellW, height - BOTTOM + 16, edge(edges[b])));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + (WIDTH - LEFT - RIGHT) / 2, height - 12, ScatterPlot.escape(xTitle + " (darkest: " + max
                        + ")")));
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** White for 0, then lighter to darker blue with √(count / max). */
    static String shade(long count, long max) {
        if (count == 0) {
            return "#ffffff";
        }
        double t = Math.sqrt((double) count / max);
        int r = (int) Math.round(222 - t * (222 - 8));
        int g = (int) Math.round(235 - t * (235 - 48));
        int b = (int) Math.round(247 - t * (247 - 107));
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    private static String edge(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
