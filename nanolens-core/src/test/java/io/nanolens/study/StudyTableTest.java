package io.nanolens.study;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StudyTableTest {

    @Test
    void markdownEscapesPipesLineBreaksAndMarkupSoEachRowStaysOneLineOfTheRightWidth() {
        StudyTable table = new StudyTable("feature", "label").row("3", "a | b\nc").row("4", "back\\slash <b>&");
        String md = table.markdown();
        assertEquals("""
                | feature | label |
                |---|---|
                | 3 | a \\| b c |
                | 4 | back\\\\slash &lt;b&gt;&amp; |
                """, md);
    }

    @Test
    void htmlEscapesEveryCellAndRightAlignsNumbers() {
        String html = new StudyTable("<th>", "x").row("<script>alert(1)</script>", "0.25").row("\"q\" & 'a'", "-")
                .html();
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("<th>&lt;th&gt;</th>"));
        assertTrue(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class=\"n\">0.25</td>"));
        assertTrue(html.contains("<td>&quot;q&quot; &amp; &#39;a&#39;</td><td class=\"n\">-</td>"));
    }

    @Test
    void aRowMustHaveOneCellPerColumn() {
        assertThrows(IllegalArgumentException.class, () -> new StudyTable("a", "b").row("1"));
    }

    @Test
    void thePageEscapesItsTextAndHoldsNoScript() {
        String html = new StudyPage("t <1>", "h & h").heading("<img src=x>").paragraph("p < q")
                .figure(new ScatterPlot("s", "x", "y", false).add("a", 1, 1, "<script>").svg())
                .table(new StudyTable("c").row("<i>")).html();
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<title>t &lt;1&gt;</title>"));
        assertTrue(html.contains("<h1>h &amp; h</h1>"));
        assertTrue(html.contains("<h2>&lt;img src=x&gt;</h2>"));
        assertTrue(html.contains("<p>p &lt; q</p>"));
        assertFalse(html.contains("<script") || html.contains("<img") || html.contains("<i>"));
        assertFalse(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").matches("(?s).*(https?:|src=\").*"),
                "nothing fetched from the network");
        assertThrows(IllegalArgumentException.class, () -> new StudyPage("t", "h").figure("<div></div>"));
    }
}
