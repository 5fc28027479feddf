package io.nanolens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
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
}
