package io.nanolens.study;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of a study's results, written twice from the same cells: as Markdown for {@code table.md} (a pipe, a
 * backslash or a line break in a cell escaped, so a token label cannot break the table, and {@code & < >} written
 * as entities, since Markdown renderers pass HTML through) and as HTML for {@code report.html} (every cell escaped;
 * cells that read as numbers right-aligned). Cells are text the caller has formatted.
 */
public final class StudyTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    /** A table with these column titles. */
    public StudyTable(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.header = List.of(header);
    }

    /**
     * Adds a row.
     *
     * @throws IllegalArgumentException if it has not one cell per column
     */
    public StudyTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + header.size()
                    + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Rows added so far. */
    public int size() {
        return rows.size();
    }

    /** The table in Markdown, a header and one line per row. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        sb.append("|---".repeat(header.size())).append("|\n");
        for (List<String> row : rows) {
            line(sb, row);
        }
        return sb.toString();
    }

    /** The table as an HTML {@code <table>} element. */
    public String html() {
        StringBuilder sb = new StringBuilder("<table><tr>");
        for (String h : header) {
            sb.append("<th>").append(ScatterPlot.escape(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String cell : row) {
                sb.append(numeric(cell) ? "<td class=\"n\">" : "<td>").append(ScatterPlot.escape(cell))
                        .append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        for (String cell : cells) {
            String text = cell.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\\", "\\\\")
                    .replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
            sb.append("| ").append(text).append(' ');
        }
        sb.append("|\n");
    }

    private static boolean numeric(String cell) {
        return cell.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?(e[-+]?[0-9]+)?%?|-|NaN");
    }
}
