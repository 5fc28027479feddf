package io.nanolens.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The format fixture {@code bpe-v1/tokenizer.json} (written by format version 1, kept forever) and the ids that
 * {@code bpe-v1/golden_bpe.py}, an independent Python encoder using the {@code regex} package, gives 112 texts.
 */
class BpeGoldenTest {

    @Test
    void formatVersion1FixtureLoads() throws URISyntaxException {
        Tokenizer tokenizer = Tokenizers.load(fixture());
        assertInstanceOf(Bpe.class, tokenizer);
        assertEquals(600, tokenizer.vocabSize());
        assertEquals(599, tokenizer.bosId());
    }

    @Test
    void encodingsMatchTheIndependentPythonEncoder() throws IOException, URISyntaxException {
        Tokenizer tokenizer = Tokenizers.load(fixture());
        JsonNode cases = new ObjectMapper().readTree(fixture().resolve("expected.json").toFile());
        assertTrue(cases.size() > 100);
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("ids").get(i).intValue();
            }
            assertArrayEquals(expected, tokenizer.encode(text), () -> "ids of " + text);
            assertEquals(text, tokenizer.decode(expected));
        }
    }

    private static Path fixture() throws URISyntaxException {
        return Path.of(BpeGoldenTest.class.getResource("bpe-v1/tokenizer.json").toURI()).getParent();
    }
}
