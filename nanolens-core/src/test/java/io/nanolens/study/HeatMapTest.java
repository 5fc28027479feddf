package io.nanolens.study;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeatMapTest {

    @Test
    void everyCellIsARectWhoseTitleGivesItsCountAndBinAndTextIsEscaped() throws Exception {
        String svg = new HeatMap("densities <by> checkpoint", "log10 density", new double[] {-10, -5, -2.5, 0})
                .row("step 10 & <b>", new long[] {5, 0, 1})
                .row("step 20", new long[] {0, 2, 4})
                .svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(svg)));
        NodeList rects = doc.getElementsByTagName("rect");
        assertEquals(6, rects.getLength());
        assertEquals("step 10 & <b>: 5 in [-10, -5)", rects.item(0).getTextContent());
        assertEquals("step 20: 4 in [-2.5, 0)", rects.item(5).getTextContent());
        assertEquals("#ffffff", ((Element) rects.item(1)).getAttribute("fill"), "zero is white");
        assertFalse(svg.contains("<b>"));
        assertTrue(svg.contains("densities &lt;by&gt; checkpoint"));
        double y0 = Double.parseDouble(((Element) rects.item(0)).getAttribute("y"));
        double y1 = Double.parseDouble(((Element) rects.item(3)).getAttribute("y"));
        assertTrue(y1 > y0, "rows go down in the order added");
    }

    @Test
    void largerCountsAreDarker() {
        long max = 100;
        int previous = Integer.MAX_VALUE;
        for (long c = 1; c <= max; c += 11) {
            String hex = HeatMap.shade(c, max);
            int r = Integer.parseInt(hex.substring(1, 3), 16);
            int g = Integer.parseInt(hex.substring(3, 5), 16);
            int b = Integer.parseInt(hex.substring(5, 7), 16);
            int brightness = r + g + b;
            assertTrue(brightness < previous, "count " + c + " is not darker: " + hex);
            previous = brightness;
        }
    }

    @Test
    void rowsMustHaveOneCountPerBinAndEdgesMustIncrease() {
        HeatMap map = new HeatMap("t", "x", new double[] {0, 1, 2});
        assertThrows(IllegalArgumentException.class, () -> map.row("r", new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> map.row("r", new long[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> new HeatMap("t", "x", new double[] {0, 0}));
    }
}
