package io.nanolens.train;

import io.nanolens.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class MetricsLogTest {
    @TempDir
    Path dir;

    private static MetricsLog.Entry entry(long step, Float valLoss) {
        return new MetricsLog.Entry(step, step * 100, 3.5f - step * 0.1f, valLoss, 1f, 0.5f, 1234.5, step * 0.25);
    }

    @Test
    void everyLineIsOneJsonObjectWithSnakeCaseKeys() throws Exception {
        Path file = dir.resolve(MetricsLog.FILE_NAME);
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            log.append(entry(1, null));
            log.append(entry(2, 3.25f));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        var first = Json.readTree(lines.get(0), "line 1");
        assertEquals(1, first.get("step").asInt());
        assertEquals(100, first.get("tokens").asLong());
        assertEquals(3.4, first.get("loss").asDouble(), 1e-6);
        assertEquals(0.5, first.get("grad_norm").asDouble());
        assertEquals(1234.5, first.get("tokens_per_s").asDouble());
        assertEquals(0.25, first.get("elapsed_s").asDouble());
        assertFalse(first.has("val_loss"));
        assertEquals(3.25, Json.readTree(lines.get(1), "line 2").get("val_loss").asDouble());
        assertEquals(List.of(entry(1, null), entry(2, 3.25f)), MetricsLog.read(file));
    }

    @Test
    void reopeningDropsTheLinesAfterTheKeptStep() {
        Path file = dir.resolve(MetricsLog.FILE_NAME);
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            for (int s = 1; s <= 5; s++) {
                log.append(entry(s, null));
            }
        }
        try (MetricsLog log = MetricsLog.open(file, 3)) {
            log.append(entry(4, 2f));
        }
        assertEquals(List.of(entry(1, null), entry(2, null), entry(3, null), entry(4, 2f)), MetricsLog.read(file));
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            log.append(entry(1, 9f));
        }
        assertEquals(List.of(entry(1, 9f)), MetricsLog.read(file));
    }
}
