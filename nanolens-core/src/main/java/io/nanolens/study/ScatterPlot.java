package io.nanolens.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scatter plot as inline SVG (no script, no network): points in named series, each series its own colour, an
 * optional log-scaled x axis, ticks, axis titles, a legend, and optionally each series' points joined in x order
 * (a Pareto frontier). Every text is escaped.
 */
public final class ScatterPlot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
            "#e377c2", "#17becf"};
    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    /** One point: its coordinates and a label shown on hover. */
    public record Point(double x, double y, String label) {
    }

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final boolean logX;
    private final Map<String, List<Point>> series = new LinkedHashMap<>();
    private boolean joinSeries;

    public ScatterPlot(String title, String xTitle, String yTitle, boolean logX) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
        this.logX = logX;
    }

    /** Adds a point to a series (made on first use); points with a non-finite coordinate are skipped. */
    public ScatterPlot add(String seriesName, double x, double y, String label) {
        if (Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0)) {
            series.computeIfAbsent(seriesName, k -> new ArrayList<>()).add(new Point(x, y, label));
        }
        return this;
    }

    /** Joins each series' points in increasing x (for frontiers over a sweep). */
    public ScatterPlot joined() {
        joinSeries = true;
        return this;
    }

    /** The plot as an {@code <svg>} element. */
    public String svg() {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (List<Point> points : series.values()) {
            for (Point p : points) {
                xMin = Math.min(xMin, tx(p.x()));
                xMax = Math.max(xMax, tx(p.x()));
                yMin = Math.min(yMin, p.y());
                yMax = Math.max(yMax, p.y());
            }
        }
        if (xMin > xMax) {
            xMin = 0;
            xMax = 1;
            yMin = 0;
            yMax = 1;
        }
        double xPad = Math.max(1e-9, (xMax - xMin) * 0.05);
        double yPad = Math.max(1e-9, (yMax - yMin) * 0.05);
        double x0 = xMin - xPad;
        double x1 = xMax + xPad;
        double y0 = Math.min(0, yMin - yPad);
        double y1 = yMax + yPad;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT, escape(title)));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", LEFT, TOP, plotW, plotH));
        for (int i = 0; i <= 4; i++) {
            double xv = x0 + (x1 - x0) * i / 4;
            double px = LEFT + plotW * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px,
                    TOP + plotH + 16, tick(logX ? Math.pow(10, xv) : xv)));
            double yv = y0 + (y1 - y0) * i / 4;
            double py = TOP + plotH - plotH * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    py + 4, tick(yv)));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    LEFT, py, LEFT + plotW, py));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 12, escape(xTitle + (logX ? " (log scale)" : ""))));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %d)\">%s</text>%n", TOP + plotH / 2, TOP + plotH / 2, escape(yTitle)));
        int s = 0;
        for (Map.Entry<String, List<Point>> e : series.entrySet()) {
            String colour = COLOURS[s % COLOURS.length];
            List<Point> points = new ArrayList<>(e.getValue());
            points.sort((a, b) -> Double.compare(a.x(), b.x()));
            if (joinSeries && points.size() > 1) {
                sb.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" points=\"");
                for (Point p : points) {
                    sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p.x(), x0, x1, plotW),
                            py(p.y(), y0, y1, plotH)));
                }
                sb.append("\"/>\n");
            }
            for (Point p : points) {
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s"
                        + "</title></circle>%n", px(p.x(), x0, x1, plotW), py(p.y(), y0, y1, plotH), colour,
                        escape(p.label())));
            }
            int ly = TOP + 14 + 18 * s;
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>%n",
                    WIDTH - RIGHT + 16, ly - 4, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 26, ly,
                    escape(e.getKey())));
            s++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private double tx(double x) {
        return logX ? Math.log10(x) : x;
    }

    private double px(double x, double x0, double x1, int plotW) {
        return LEFT + plotW * (tx(x) - x0) / (x1 - x0);
    }

    private static double py(double y, double y0, double y1, int plotH) {
        return TOP + plotH - plotH * (y - y0) / (y1 - y0);
    }

    private static String tick(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1000 || a < 0.01 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Text made safe for HTML and SVG. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
