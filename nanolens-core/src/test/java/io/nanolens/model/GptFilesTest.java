package io.nanolens.model;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.Tokenizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptFilesTest {
    private static final Tokenizer TOKENIZER = Bpe.train(List.of("the cat sat on the mat", "the dog ran"), 262);
    private static final GptConfig CONFIG = new GptConfig(8, 262, 2, 4, 2, 16);

    @TempDir
    Path dir;
    private Gpt gpt;

    @BeforeEach
    void saveAModel() {
        gpt = TestGpts.model(CONFIG, 7);
        GptFiles.save(dir, gpt, Map.of("step", "12"));
        TOKENIZER.save(dir);
    }

    private NanolensException loadFails() {
        NanolensException e = assertThrows(NanolensException.class, () -> GptFiles.load(dir));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private static void assertMentions(NanolensException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void savedModelLoadsWithTheSameConfigWeightsTokenizerAndMetadata() throws Exception {
        GptFiles.Loaded loaded = GptFiles.load(dir);
        assertEquals(CONFIG, loaded.gpt().config());
        assertEquals(gpt.parameters(), loaded.gpt().parameters());
        assertArrayEquals(TOKENIZER.encode("the cat ran"), loaded.tokenizer().encode("the cat ran"));
        assertEquals("12", loaded.metadata().get("step"));
        var json = Json.readTree(dir.resolve(GptFiles.CONFIG_FILE));
        for (String key : List.of("sequence_len", "vocab_size", "n_layer", "n_head", "n_kv_head", "n_embd")) {
            assertTrue(json.has(key), "nanochat key " + key);
        }
    }

    @Test
    void missingDirectoryIsReported() {
        Path missing = dir.resolve("nope");
        NanolensException e = assertThrows(NanolensException.class, () -> GptFiles.load(missing));
        assertMentions(e, missing.toString(), "does not exist", "train-model");
    }

    @ParameterizedTest
    @ValueSource(strings = {GptFiles.CONFIG_FILE, GptFiles.WEIGHTS_FILE, GptFiles.TOKENIZER_FILE})
    void missingFileIsNamed(String name) throws Exception {
        Files.delete(dir.resolve(name));
        assertMentions(loadFails(), dir.toString(), "has no " + name);
    }

    @Test
    void tokenizerOfAnotherSizeIsReported() {
        Tokenizer other = Bpe.train(List.of("the cat sat on the mat, the dog"), 270);
        other.save(dir);
        assertMentions(loadFails(), "tokenizer.json has " + other.vocabSize() + " tokens", "vocab_size 262");
    }

    @Test
    void tensorOfAnotherShapeIsReported() {
        Map<String, Tensor> tensors = new LinkedHashMap<>(gpt.parameters());
        tensors.put("transformer.h.1.mlp.c_fc.weight", Tensor.zeros(64, 15));
        SafeTensors.write(dir.resolve(GptFiles.WEIGHTS_FILE), tensors, Map.of());
        assertMentions(loadFails(), "model.safetensors", "transformer.h.1.mlp.c_fc.weight", "[64, 15]", "[64, 16]");
    }

    @Test
    void configWithMoreLayersThanTheWeightsIsReported() {
        Json.write(dir.resolve(GptFiles.CONFIG_FILE), new GptConfig(8, 262, 3, 4, 2, 16));
        assertMentions(loadFails(), "has no tensor 'transformer.h.2.attn.c_q.weight'", "n_layer 3");
    }

    @Test
    void unexpectedTensorIsReported() {
        Map<String, Tensor> tensors = new LinkedHashMap<>(gpt.parameters());
        tensors.put("transformer.h.0.attn.bias", Tensor.zeros(16));
        SafeTensors.write(dir.resolve(GptFiles.WEIGHTS_FILE), tensors, Map.of());
        assertMentions(loadFails(), "transformer.h.0.attn.bias");
    }

    @Test
    void malformedConfigIsReportedWithItsFile() throws Exception {
        Files.writeString(dir.resolve(GptFiles.CONFIG_FILE), "{\"sequence_len\": 8, \"vocab_size\": ");
        assertMentions(loadFails(), "config.json");
    }
}
