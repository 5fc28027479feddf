package io.nanolens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;

/**
 * What a benchmark prints: a readable table as it goes and, with {@code --json}, one JSON object at the end whose
 * speed comparisons are fields ending in {@code _ratio} (ours ÷ reference, higher is better), with the raw
 * figures, core count and JDK beside them.
 */
final class BenchReport {
    private final PrintWriter out;
    private final ObjectNode json = new ObjectMapper().createObjectNode();

    BenchReport(PrintWriter out, String bench) {
        this.out = out;
        json.put("bench", bench);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("jdk", Runtime.version().toString());
    }

    void line(String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }

    void put(String key, double value) {
        json.put(key, Math.round(value * 1000) / 1000.0);
    }

    /** A value kept at full precision (a small difference, where rounding to 3 decimals would print 0). */
    void putExact(String key, double value) {
        json.put(key, value);
    }

    void put(String key, long value) {
        json.put(key, value);
    }

    void put(String key, String value) {
        json.put(key, value);
    }

    void printJson() {
        out.println(json.toString());
        out.flush();
    }
}
