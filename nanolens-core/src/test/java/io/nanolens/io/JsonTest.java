package io.nanolens.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON facade: snake_case records round-trip, and every malformed file is a one-line error naming it. */
class JsonTest {

    record Layer(int index, String hookName) {
    }

    record Config(int dIn, double learningRate, boolean applyBDecToInput, List<Layer> layers, Map<String, String> extra) {
    }

    @TempDir
    Path dir;

    private final Config config = new Config(768, 3e-4, true,
            List.of(new Layer(0, "blocks.0.hook_resid_pre")), Map.of("camelKey", "kept as is"));

    @Test
    void recordsRoundTripThroughAFileWithSnakeCaseKeys() throws IOException {
        Path file = dir.resolve("cfg.json");
        Json.write(file, config);
        String text = Files.readString(file);
        assertTrue(text.endsWith("}\n"), text);
        assertTrue(text.contains("\"d_in\" : 768") && text.contains("\"apply_b_dec_to_input\" : true"), text);
        assertTrue(text.contains("\"hook_name\" : \"blocks.0.hook_resid_pre\""), text);
        assertTrue(text.contains("\"camelKey\" : \"kept as is\""), "map keys are data, not renamed: " + text);
        assertEquals(config, Json.read(file, Config.class));
        JsonNode tree = Json.readTree(file);
        assertEquals(768, tree.get("d_in").intValue());
        assertEquals(config, Json.convert(tree, Config.class, file.toString()));
        assertEquals(tree, Json.toTree(config));
    }

    @Test
    void malformedFileIsReportedWithItsNameLineAndColumn() throws IOException {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\n  \"d_in\": 768,\n  \"layers\": [\n}");
        NanolensException e = assertThrows(NanolensException.class, () -> Json.readTree(file));
        assertOneLineNaming(e, file.toString());
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
    }

    @Test
    void duplicateKeysAndTrailingContentAreRefused() throws IOException {
        Path duplicate = Files.writeString(dir.resolve("dup.json"), "{\"d_in\": 1, \"d_in\": 2}");
        assertOneLineNaming(assertThrows(NanolensException.class, () -> Json.readTree(duplicate)), "dup.json");
        Path trailing = Files.writeString(dir.resolve("trailing.json"), "{\"d_in\": 1} {\"d_in\": 2}");
        assertOneLineNaming(assertThrows(NanolensException.class, () -> Json.readTree(trailing)), "trailing.json");
    }

    @Test
    void valueThatDoesNotFitTheRecordIsReportedWithTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("typo.json"), "{\"d_inn\": 768}");
        assertOneLineNaming(assertThrows(NanolensException.class, () -> Json.read(file, Config.class)), "typo.json");
        Path wrongType = Files.writeString(dir.resolve("type.json"), "{\"d_in\": \"big\"}");
        assertOneLineNaming(assertThrows(NanolensException.class, () -> Json.read(wrongType, Config.class)), "type.json");
    }

    @Test
    void missingFileIsReportedWithItsPath() {
        Path file = dir.resolve("absent.json");
        NanolensException e = assertThrows(NanolensException.class, () -> Json.readTree(file));
        assertOneLineNaming(e, file.toString());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void textIsParsedWithItsSourceNamedInErrors() {
        assertEquals(2, Json.readTree("{\"a\": [1, 2]}", "inline").get("a").size());
        assertOneLineNaming(assertThrows(NanolensException.class, () -> Json.readTree("{\"a\": ", "request body")),
                "request body");
    }

    @Test
    void builtObjectsPrintAsIndentedJson() {
        var node = Json.object().put("k", 1);
        assertEquals("{\n  \"k\" : 1\n}", Json.toPrettyString(node));
    }

    private static void assertOneLineNaming(NanolensException e, String name) {
        assertTrue(e.getMessage().contains(name), "message must name " + name + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message must be one line: " + e.getMessage());
    }
}
