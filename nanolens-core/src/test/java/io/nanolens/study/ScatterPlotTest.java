package io.nanolens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.HashSet;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ScatterPlotTest {

    @Test
    void theSvgIsWellFormedXmlWithOneCirclePerPointAndEscapedText() throws Exception {
        ScatterPlot plot = new ScatterPlot("L0 <vs> FVU", "L0", "FVU", true)
                .add("topk", 8, 0.3, "k=8").add("topk", 32, 0.1, "k=32")
                .add("relu & co", 20, 0.2, "<script>alert(1)</script>")
                .add("relu & co", 0, 0.5, "skipped: x = 0 on a log axis").joined();
        String svg = plot.svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        // 3 data points + 2 legend markers
        assertEquals(5, doc.getElementsByTagName("circle").getLength());
        assertEquals(2, doc.getElementsByTagName("polyline").getLength() + 1, "one series has two points to join");
        assertFalse(svg.contains("<script>"));
        assertTrue(svg.contains("&lt;script&gt;"));
        assertTrue(svg.contains("L0 &lt;vs&gt; FVU"));
    }

    @Test
    void pointsLandInsideThePlotAreaInTheirOrder() throws Exception {
        String svg = new ScatterPlot("t", "x", "y", false).add("a", 1, 1, "p").add("a", 2, 3, "q").svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        var circles = doc.getElementsByTagName("circle");
        double x1 = Double.parseDouble(circles.item(0).getAttributes().getNamedItem("cx").getNodeValue());
        double x2 = Double.parseDouble(circles.item(1).getAttributes().getNamedItem("cx").getNodeValue());
        double y1 = Double.parseDouble(circles.item(0).getAttributes().getNamedItem("cy").getNodeValue());
        double y2 = Double.parseDouble(circles.item(1).getAttributes().getNamedItem("cy").getNodeValue());
        assertTrue(x2 > x1 && y2 < y1, "larger x to the right, larger y higher up");
        assertTrue(x1 > 70 && x2 < 640 - 150 && y2 > 30 && y1 < 420 - 50);
    }

    @Test
    void thirtySeriesGetThirtyDistinctColoursAndTheLegendEndsWithHowManyItLeftOut() throws Exception {
        Set<String> colours = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            assertTrue(ScatterPlot.paletteColour(i).matches("#[0-9a-f]{6}"), ScatterPlot.paletteColour(i));
            colours.add(ScatterPlot.paletteColour(i));
        }
        assertEquals(30, colours.size());
        ScatterPlot plot = new ScatterPlot("t", "x", "y", false).radius(2);
        for (int i = 0; i < 30; i++) {
            plot.add("cluster " + i, i, i, "#" + i);
        }
        String svg = plot.svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        int rows = (420 - 30 - 10) / 18;
        assertEquals(30 + rows - 1, doc.getElementsByTagName("circle").getLength(), "points + shown legend markers");
        assertTrue(svg.contains("+" + (30 - rows + 1) + " more"), svg);
        assertTrue(svg.contains("r=\"2.0\""));
    }

    @Test
    void aGivenColourIsUsedAndPlacesTheSeriesInTheLegendFirst() {
        String svg = new ScatterPlot("t", "x", "y", false).colour("none", "#bbbbbb").add("a", 1, 1, "p")
                .add("none", 2, 2, "q").svg();
        assertTrue(svg.indexOf(">none</text>") < svg.indexOf(">a</text>"));
        assertTrue(svg.contains("fill=\"#bbbbbb\"><title>q</title>"));
        assertThrows(IllegalArgumentException.class, () -> new ScatterPlot("t", "x", "y", false).colour("a", "red"));
        assertThrows(IllegalArgumentException.class, () -> new ScatterPlot("t", "x", "y", false).radius(0));
    }
}
