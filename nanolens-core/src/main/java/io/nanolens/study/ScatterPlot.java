package io.nanolens.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scatter plot as inline SVG (no script, no network): points in named series, each series its own colour, an
 * optional log-scaled x axis, ticks, axis titles, a legend, and optionally each series' points joined in x order
 * (a Pareto frontier or a curve over training). Every text is escaped. The first ten series take the Tableau 10
 * colours, later ones hues a golden angle apart; a legend longer than the plot is cut with a "+N more" line.
 */
public final class ScatterPlot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
            "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
    private static final int LEGEND_STEP = 18;
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
    private final Map<String, String> colours = new LinkedHashMap<>();
    private boolean joinSeries;
    private double radius = 4;

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

    /** Draws points with this radius in pixels (smaller for maps of many points; default 4). */
    public ScatterPlot radius(double pixels) {
        if (!(pixels > 0 && pixels <= 20)) {
            throw new IllegalArgumentException("point radius must be in (0, 20] pixels, got " + pixels);
        }
        radius = pixels;
        return this;
    }

    /**
     * Gives a series a fixed colour ({@code #rrggbb}) and its place in the legend now, before its first point.
     *
     * @throws IllegalArgumentException if the colour is not a six-digit hex colour
     */
    public ScatterPlot colour(String seriesName, String hex) {
        if (!hex.matches("#[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("colour must look like #1f77b4, got " + hex);
        }
        colours.put(seriesName, hex);
        series.computeIfAbsent(seriesName, k -> new ArrayList<>());
        return this;
    }

    /** The colour of the {@code i}-th series (from 0) when none was given. */
    static String paletteColour(int i) {
        if (i < COLOURS.length) {
            return COLOURS[i];
        }
        double hue = ((i - COLOURS.length) * 137.508 + 15) % 360;
        return hsl(hue, 0.65, 0.45);
    }

    /** An HSL colour (hue in degrees, saturation and lightness in [0, 1]) as #rrggbb. */
    private static String hsl(double hue, double saturation, double lightness) {
        double c = (1 - Math.abs(2 * lightness - 1)) * saturation;
        double x = c * (1 - Math.abs(hue / 60 % 2 - 1));
        double m = lightness - c / 2;
        double[] rgb = switch ((int) (hue / 60)) {
            case 0 -> new double[] {c, x, 0};
            case 1 -> new double[] {x, c, 0};
            case 2 -> new double[] {0, c, x};
            case 3 -> new double[] {0, x, c};
            case 4 -> new double[] {x, 0, c};
            default -> new double[] {c, 0, x};
        };
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round((rgb[0] + m) * 255),
                Math.round((rgb[1] + m) * 255), Math.round((rgb[2] + m) * 255));
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
        StringBuilder sb = open(WIDTH, HEIGHT, LEFT, title);
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
        int legendRows = (HEIGHT - TOP - 10) / LEGEND_STEP;
        for (Map.Entry<String, List<Point>> e : series.entrySet()) {
            String colour = colours.getOrDefault(e.getKey(), paletteColour(s));
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
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>"
                        + "%s</title></circle>%n", px(p.x(), x0, x1, plotW), py(p.y(), y0, y1, plotH), radius, colour,
                        escape(p.label())));
            }
            legend(sb, s, legendRows, series.size(), e.getKey(), colour);
            s++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** The legend line of series {@code s}, or "+N more" in the last row when the series do not all fit. */
    private static void legend(StringBuilder sb, int s, int rows, int total, String name, String colour) {
        int ly = TOP + 14 + LEGEND_STEP * s;
        if (total > rows && s == rows - 1) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">+%d more</text>%n", WIDTH - RIGHT + 10,
                    ly, total - s));
        } else if (s < rows) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>%n",
                    WIDTH - RIGHT + 16, ly - 4, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 26, ly,
                    escape(name)));
        }
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

    /** An {@code <svg>} element of this size opened, with {@code title} in bold at the top from {@code titleX}. */
    static StringBuilder open(int width, int height, int titleX, String title) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n<text x=\"%d\" "
                + "y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", width, height, width, height, titleX,
                escape(title)));
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
