package io.nanolens.study;

/**
 * A study's {@code report.html}: one self-contained page (inline SVG figures, a little CSS, no script, nothing
 * fetched from the network) built from headings, paragraphs, figures and tables in the order they are added.
 * Text is escaped; figures are the SVG markup of {@link ScatterPlot} and {@link HeatMap}, which escape their own.
 */
public final class StudyPage {
    private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:70rem}"
            + "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
            + "text-align:left;vertical-align:top}td.n{text-align:right}svg{margin:.5rem 1rem .5rem 0}";

    private final StringBuilder body = new StringBuilder();
    private final String title;

    /** A page titled {@code title} in the browser, with {@code heading} as its first line. */
    public StudyPage(String title, String heading) {
        this.title = title;
        body.append("<h1>").append(ScatterPlot.escape(heading)).append("</h1>\n");
    }

    /** A section heading. */
    public StudyPage heading(String text) {
        body.append("<h2>").append(ScatterPlot.escape(text)).append("</h2>\n");
        return this;
    }

    /** A paragraph of plain text. */
    public StudyPage paragraph(String text) {
        body.append("<p>").append(ScatterPlot.escape(text)).append("</p>\n");
        return this;
    }

    /** An SVG figure, inserted as it is. */
    public StudyPage figure(String svg) {
        if (!svg.startsWith("<svg")) {
            throw new IllegalArgumentException("a figure must be an <svg> element");
        }
        body.append(svg);
        return this;
    }

    public StudyPage table(StudyTable table) {
        body.append(table.html());
        return this;
    }

    /** The whole document. */
    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + ScatterPlot.escape(title)
                + "</title><style>" + STYLE + "</style></head><body>\n" + body + "</body></html>\n";
    }
}
