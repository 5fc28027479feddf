package io.nanolens.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.Tokenizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading Hugging Face GPT-2 directories through {@link GptFiles#load}: layouts, tokenizers and one-line errors. */
class Gpt2FilesTest {
    @TempDir
    Path dir;
    private Map<String, Tensor> tensors;     // the fixture's model.safetensors, masks included

    @BeforeEach
    void copyTheFixture() throws Exception {
        Files.copy(Gpt2FixtureTest.fixture().resolve("config.json"), dir.resolve("config.json"));
        try (SafeTensors file = SafeTensors.open(Gpt2FixtureTest.fixture().resolve("model.safetensors"))) {
            tensors = file.loadAll();
        }
    }

    private void writeWeights(Map<String, Tensor> weights) {
        SafeTensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    }

    private void editConfig(Consumer<ObjectNode> edit) {
        ObjectNode json = (ObjectNode) Json.readTree(dir.resolve("config.json"));
        edit.accept(json);
        Json.write(dir.resolve("config.json"), json);
    }

    private NanolensException loadFails(String... parts) {
        NanolensException e = assertThrows(NanolensException.class, () -> GptFiles.load(dir));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void prefixedNamesTiedLmHeadAndMaskBuffersLoadTheSameWeights() {
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        tensors.forEach((name, t) -> prefixed.put("transformer." + name, t));
        prefixed.put("transformer.h.0.attn.masked_bias", Tensor.of(new float[] {-1e4f}));
        prefixed.put("lm_head.weight", tensors.get("wte.weight"));
        writeWeights(prefixed);
        Gpt loaded = GptFiles.load(dir).gpt();
        Gpt fixture = GptFiles.load(Gpt2FixtureTest.fixture()).gpt();
        assertEquals(fixture.config(), loaded.config());
        assertEquals(fixture.parameters(), loaded.parameters());
        assertFalse(loaded.parameters().containsKey("h.0.attn.bias"), "the mask is a buffer, not a parameter");
    }

    @Test
    void missingTensorIsNamed() {
        tensors.remove("h.1.mlp.c_fc.bias");
        writeWeights(tensors);
        loadFails("model.safetensors", "has no tensor 'h.1.mlp.c_fc.bias'", "n_layer 2");
    }

    @Test
    void wrongShapeIsReportedWithBothShapes() {
        tensors.put("h.0.attn.c_attn.weight", Tensor.zeros(64, 64));
        writeWeights(tensors);
        loadFails("'h.0.attn.c_attn.weight'", "[64, 64]", "[64, 192]");
    }

    @Test
    void tensorAGpt2DoesNotHaveIsReported() {
        tensors.put("h.0.attn.c_q.weight", Tensor.zeros(64, 64));
        writeWeights(tensors);
        loadFails("'h.0.attn.c_q.weight'", "does not have");
    }

    @Test
    void untiedHeadOfAnotherShapeIsReported() {
        tensors.put("lm_head.weight", Tensor.zeros(511, 64));
        writeWeights(tensors);
        loadFails("'lm_head.weight'", "[511, 64]", "[512, 64]");
    }

    @Test
    void missingWeightsFileAsksForSafetensors() {
        loadFails("has no model.safetensors", "pytorch_model.bin");
    }

    @Test
    void variantsNanolensDoesNotRunAreRefused() {
        writeWeights(tensors);
        editConfig(c -> c.put("activation_function", "relu"));
        loadFails("activation_function \"relu\"", "gelu_new");
        editConfig(c -> c.put("activation_function", "gelu_new").put("n_inner", 100));
        loadFails("n_inner 100", "256");
        editConfig(c -> c.putNull("n_inner").put("tie_word_embeddings", false));
        loadFails("tie_word_embeddings false");
        editConfig(c -> c.put("tie_word_embeddings", true).put("model_type", "llama"));
        loadFails("\"llama\"", "gpt2");
        editConfig(c -> c.put("model_type", "gpt2").put("n_embd", "wide"));
        loadFails("n_embd", "positive whole number");
    }

    @Test
    void layerNormEpsilonComesFromTheConfig() {
        writeWeights(tensors);
        editConfig(c -> c.put("layer_norm_epsilon", 1e-3));
        assertEquals(1e-3f, GptFiles.load(dir).gpt().config().normEps());
    }

    @Test
    void aVocabularyOtherThanGpt2sRunsOnIdsAndRefusesTextInOneLine() {
        Tokenizer tokenizer = GptFiles.load(Gpt2FixtureTest.fixture()).tokenizer();
        assertEquals(512, tokenizer.vocabSize());
        assertEquals(511, tokenizer.bosId(), "bos_token_id from config.json");
        NanolensException e = assertThrows(NanolensException.class, () -> tokenizer.encode("hello"));
        assertTrue(e.getMessage().contains("512") && e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void gpt2sVocabularyGetsTheR50kTokenizer() {
        Gpt gpt = new Gpt(GptConfig.gpt2(8, 50257, 1, 2, 8, 1e-5f), 5);
        GptFiles.save(dir, gpt, Map.of());
        Tokenizer tokenizer = GptFiles.load(dir).tokenizer();
        assertEquals("gpt2", tokenizer.name());
        assertArrayEquals(new int[] {15496, 995}, tokenizer.encode("Hello world"), "GPT-2's ids for these words");
        assertEquals(50256, tokenizer.bosId());
    }

    @Test
    void aNanolensTokenizerBesideTheWeightsIsUsed() {
        Tokenizer bpe = Bpe.train(List.of("the cat sat on the mat", "the dog ran"), 262);
        GptFiles.save(dir, new Gpt(GptConfig.gpt2(16, 262, 1, 2, 16, 1e-5f), 6), Map.of());
        bpe.save(dir);
        assertArrayEquals(bpe.encode("the cat ran"), GptFiles.load(dir).tokenizer().encode("the cat ran"));
        Bpe.train(List.of("the cat sat on the mat", "the dog ran"), 270).save(dir);
        loadFails("270 tokens", "vocab_size 262");
    }

    @Test
    void savedGpt2RoundTripsThroughTheHuggingFaceLayout() {
        Gpt gpt = new Gpt(GptConfig.gpt2(16, 300, 2, 2, 16, 2e-5f), 7);
        GptFiles.save(dir, gpt, Map.of("step", "3"));
        var json = Json.readTree(dir.resolve("config.json"));
        assertEquals("gpt2", json.path("model_type").asText());
        assertEquals(16, json.path("n_positions").asInt());
        GptFiles.Loaded loaded = GptFiles.load(dir);
        assertEquals(gpt.config(), loaded.gpt().config());
        assertEquals(gpt.parameters(), loaded.gpt().parameters());
        assertEquals("3", loaded.metadata().get("step"));
    }

    @Test
    void initialGpt2WeightsFollowHuggingFacesScheme() {
        GptConfig c = GptConfig.gpt2(16, 300, 4, 2, 64, 1e-5f);
        Map<String, Tensor> p = new Gpt(c, 8).parameters();
        assertEquals(Gpt.parameterShapes(c).keySet(), p.keySet());
        assertEquals(1f, p.get("h.3.ln_2.weight").data()[17]);
        assertEquals(0f, p.get("h.3.mlp.c_fc.bias").data()[17]);
        assertEquals(0.02, std(p.get("h.0.mlp.c_fc.weight")), 0.002);
        assertEquals(0.02 / Math.sqrt(8), std(p.get("h.0.mlp.c_proj.weight")), 0.001);
    }

    private static double std(Tensor t) {
        double sum = 0;
        for (float x : t.data()) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum / t.size());
    }
}
