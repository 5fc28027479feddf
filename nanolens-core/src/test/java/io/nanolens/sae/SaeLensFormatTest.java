package io.nanolens.sae;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SAELens directory format: nanolens round trips, the layout of what it writes, directories assembled by hand
 * exactly as SAELens 6 writes them (and a pre-6.0 flat config), and clear errors for broken directories.
 */
class SaeLensFormatTest {
    private static final int ROWS = 9;
    private static final int D = 6;
    private static final int M = 12;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void roundTripRestoresTheArchitectureAndIdenticalOutputs(Architecture architecture) throws IOException {
        SaeConfig config = TestSaes.small(architecture, architecture.ordinal() % 2 == 0);
        Sae sae = SaeTest.withThreshold(TestSaes.random(config, 50), 0.3);
        SaeMetadata metadata = SaeMetadata.of("tiny", "blocks.1.hook_resid_post", 64).withPrompts(true, true)
                .withDatasetPath("tinyworld");
        float[] density = SaeDirectory.log10Density(TestSaes.gaussian(51, M));
        for (int i = 0; i < M; i++) {
            density[i] = Math.abs(density[i]);
        }
        SaeLensFormat.write(tmp.resolve("a"), new SaeDirectory(sae, metadata, density));
        SaeDirectory back = SaeLensFormat.read(tmp.resolve("a"));

        assertEquals(architecture, back.sae().architecture());
        if (architecture.usesK()) {
            assertEquals(config.k(), back.sae().config().k());
        }
        assertEquals(config.prefixes(), back.sae().config().prefixes());
        assertEquals(config.applyBDecToInput(), back.sae().config().applyBDecToInput());
        assertEquals(metadata, back.metadata());
        assertArrayEquals(density, back.log10Density());
        float[] x = TestSaes.gaussian(52, ROWS * D);
        assertArrayEquals(sae.encode(x, ROWS), back.sae().encode(x, ROWS));
        assertArrayEquals(sae.forward(x, ROWS), back.sae().forward(x, ROWS));

        SaeLensFormat.write(tmp.resolve("b"), back);
        for (String file : List.of(SaeLensFormat.CONFIG_FILE, SaeLensFormat.WEIGHTS_FILE, SaeLensFormat.SPARSITY_FILE)) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(file)),
                    Files.readAllBytes(tmp.resolve("b").resolve(file)), file + " changes on a second round trip");
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void writtenFilesFollowTheSaeLensLayout(Architecture architecture) {
        SaeConfig config = TestSaes.small(architecture, true);
        Sae sae = SaeTest.withThreshold(TestSaes.random(config, 53), 0.4);
        SaeLensFormat.write(tmp, new SaeDirectory(sae, SaeMetadata.of("m", "blocks.0.hook_mlp_out", 32), null));

        JsonNode cfg = Json.readTree(tmp.resolve(SaeLensFormat.CONFIG_FILE));
        assertEquals(architecture.inferenceName(), cfg.get("architecture").asText());
        assertEquals(D, cfg.get("d_in").asInt());
        assertEquals(M, cfg.get("d_sae").asInt());
        assertEquals("none", cfg.get("normalize_activations").asText());
        assertEquals(architecture == Architecture.TOP_K, cfg.has("k"));
        assertEquals("6.18.0", cfg.at("/metadata/sae_lens_version").asText());
        assertEquals("blocks.0.hook_mlp_out", cfg.at("/metadata/hook_name").asText());
        assertFalse(Files.exists(tmp.resolve(SaeLensFormat.SPARSITY_FILE)));

        float[] wEnc = sae.parameters().get("wEnc").data();
        try (SafeTensors st = SafeTensors.open(tmp.resolve(SaeLensFormat.WEIGHTS_FILE))) {
            Set<String> want = switch (architecture.inferenceName()) {
                case "gated" -> Set.of("W_enc", "W_dec", "b_dec", "b_gate", "b_mag", "r_mag");
                case "jumprelu" -> Set.of("W_enc", "b_enc", "W_dec", "b_dec", "threshold");
                default -> Set.of("W_enc", "b_enc", "W_dec", "b_dec");
            };
            assertEquals(want, Set.copyOf(st.names()));
            assertArrayEquals(new long[] {D, M}, st.info("W_enc").shape());
            assertArrayEquals(new long[] {M, D}, st.info("W_dec").shape());
            float[] saved = st.load("W_enc").data();
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < D; j++) {
                    assertEquals(wEnc[i * D + j], saved[j * M + i], "W_enc[" + j + ", " + i + "]");
                }
            }
            if (architecture == Architecture.BATCH_TOP_K || architecture == Architecture.MATRYOSHKA) {
                float[] theta = st.load("threshold").data();
                assertTrue(Arrays.equals(theta, filled(M, 0.4f)), "one threshold on every latent");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"standard, true", "topk, true", "jumprelu, false", "gated, true"})
    void directoryAssembledAsSaeLensWritesItLoadsAndEncodes(String architecture, boolean applyBDec)
            throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(architecture));
        SaeLensLayout w = SaeLensLayout.random(architecture, D, M, 60);
        Files.writeString(dir.resolve("cfg.json"), """
                {"d_in": %d, "d_sae": %d, "dtype": "float32", "device": "cpu", "apply_b_dec_to_input": %s,
                 "normalize_activations": "none", "reshape_activations": "none",
                 "metadata": {"sae_lens_version": "6.18.0", "sae_lens_training_version": "6.18.0",
                   "model_name": "tiny-stories-1M", "hook_name": "blocks.1.hook_resid_post", "hook_head_index": null,
                   "context_size": 128, "prepend_bos": true, "dataset_path": "roneneldan/TinyStories",
                   "exclude_special_tokens": false, "sequence_separator_token": "bos",
                   "disable_concat_sequences": false, "neuronpedia_id": null,
                   "model_class_name": "HookedTransformer",
                   "model_from_pretrained_kwargs": {"center_writing_weights": false}},
                 %s"architecture": "%s"}
                """.formatted(D, M, applyBDec, architecture.equals("topk")
                ? "\"k\": 3, \"rescale_acts_by_decoder_norm\": true, " : "", architecture));
        w.safeTensors().writeTo(dir.resolve("sae_weights.safetensors"));
        new HandWrittenSafeTensors().put("sparsity", filled(M, -2.5f), M).writeTo(dir.resolve("sparsity.safetensors"));

        SaeDirectory loaded = SaeLensFormat.read(dir);
        float[] x = TestSaes.gaussian(61, ROWS * D);
        double[] xd = SaeReference.toDouble(x);
        boolean rescale = architecture.equals("topk");
        double[] f = w.encode(xd, ROWS, applyBDec, 3, rescale);
        SaeGradientTest.assertClose(f, loaded.sae().encode(x, ROWS), architecture + " latents");
        SaeGradientTest.assertClose(w.decode(f, ROWS, rescale), loaded.sae().forward(x, ROWS),
                architecture + " output");
        assertTrue(Arrays.stream(f).filter(v -> v != 0).count() > ROWS, "the input must switch latents on");
        assertEquals("tiny-stories-1M", loaded.metadata().modelName());
        assertEquals("blocks.1.hook_resid_post", loaded.metadata().hookName());
        assertEquals(128, loaded.metadata().contextSize());
        assertEquals("bos", loaded.metadata().other().get("sequence_separator_token"));
        assertEquals(Map.of("center_writing_weights", false),
                loaded.metadata().other().get("model_from_pretrained_kwargs"));
        assertArrayEquals(filled(M, -2.5f), loaded.log10Density());
    }

    @Test
    void preSixFlatConfigsAreRead() throws IOException {
        SaeLensLayout w = SaeLensLayout.random("topk", D, M, 62);
        w.safeTensors().writeTo(tmp.resolve("sae_weights.safetensors"));
        Files.writeString(tmp.resolve("cfg.json"), """
                {"model_name": "gpt2-small", "hook_point": "blocks.0.hook_resid_pre", "hook_point_layer": 0,
                 "hook_point_head_index": null, "dataset_path": "Skylion007/openwebtext", "context_size": 128,
                 "d_in": %d, "expansion_factor": 2, "b_dec_init_method": "geometric_median",
                 "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 3}, "lr": 0.0004,
                 "l1_coefficient": 8e-05, "device": "cuda", "seed": 42, "dtype": "torch.float32",
                 "prepend_bos": false, "normalize_activations": false, "sae_lens_version": "3.5.0",
                 "model_class_name": "HookedTransformer"}
                """.formatted(D));
        SaeDirectory loaded = SaeLensFormat.read(tmp);
        assertEquals(Architecture.TOP_K, loaded.sae().architecture());
        assertEquals(3, loaded.sae().config().k());
        assertEquals(M, loaded.sae().dSae());
        assertTrue(loaded.sae().config().applyBDecToInput());
        assertEquals("blocks.0.hook_resid_pre", loaded.metadata().hookName());
        assertFalse(loaded.metadata().prependBos());
        assertEquals(Map.of("model_class_name", "HookedTransformer"), loaded.metadata().other());
        assertFalse(loaded.metadata().other().containsKey("lr"));
        assertNull(loaded.log10Density());
        float[] x = TestSaes.gaussian(63, ROWS * D);
        double[] f = w.encode(SaeReference.toDouble(x), ROWS, true, 3, false);
        SaeGradientTest.assertClose(w.decode(f, ROWS, false), loaded.sae().forward(x, ROWS), "output");
    }

    @Test
    void brokenDirectoriesGetOneLineErrorsNamingTheProblem() throws IOException {
        Sae sae = TestSaes.random(TestSaes.small(Architecture.RELU, true), 70);
        Path good = tmp.resolve("good");
        SaeLensFormat.write(good, new SaeDirectory(sae, SaeMetadata.unknown(), filled(M, -1f)));
        String cfg = Files.readString(good.resolve("cfg.json"));
        byte[] weights = Files.readAllBytes(good.resolve("sae_weights.safetensors"));

        assertError(tmp.resolve("missing"), "does not exist");
        Path dir = copy(good, "no-config");
        Files.delete(dir.resolve("cfg.json"));
        assertError(dir, "has no cfg.json");
        assertError(withConfig(good, "bad-json", cfg.substring(0, cfg.length() / 2)), "malformed JSON");
        assertError(withConfig(good, "no-d-in", cfg.replace("\"d_in\"", "\"d_out\"")), "'d_in' must be a positive");
        assertError(withConfig(good, "transcoder", cfg.replace("\"standard\"", "\"transcoder\"")),
                "architecture 'transcoder'");
        assertError(withConfig(good, "topk-no-k", cfg.replace("\"standard\"", "\"topk\"")), "needs k");
        assertError(withConfig(good, "layer-norm", cfg.replace("\"normalize_activations\" : \"none\"",
                "\"normalize_activations\" : \"layer_norm\"")), "normalize_activations 'layer_norm'");
        assertError(withConfig(good, "wider", cfg.replace("\"d_sae\" : 12", "\"d_sae\" : 13")),
                "'W_enc' has shape [6, 12] but cfg.json says d_in = 6, d_sae = 13");

        dir = copy(good, "truncated");
        Files.write(dir.resolve("sae_weights.safetensors"), Arrays.copyOf(weights, weights.length - 7));
        assertError(dir, "sae_weights.safetensors");
        dir = copy(good, "no-weights");
        Files.delete(dir.resolve("sae_weights.safetensors"));
        assertError(dir, "does not exist");
        dir = copy(good, "lacks-b-enc");
        new HandWrittenSafeTensors().put("W_enc", new float[D * M], D, M).put("W_dec", new float[D * M], M, D)
                .put("b_dec", new float[D], D).writeTo(dir.resolve("sae_weights.safetensors"));
        assertError(dir, "lack tensor 'b_enc'");
        dir = copy(good, "extra");
        SaeLensLayout.random("jumprelu", D, M, 71).safeTensors().writeTo(dir.resolve("sae_weights.safetensors"));
        assertError(dir, "unexpected tensor 'threshold'");
        dir = copy(good, "nan");
        float[] wDec = new float[D * M];
        wDec[5] = Float.NaN;
        new HandWrittenSafeTensors().put("W_enc", new float[D * M], D, M).put("b_enc", new float[M], M)
                .put("W_dec", wDec, M, D).put("b_dec", new float[D], D).writeTo(dir.resolve("sae_weights.safetensors"));
        assertError(dir, "'W_dec' holds NaN at index 5");
        dir = copy(good, "sparsity");
        new HandWrittenSafeTensors().put("sparsity", new float[M + 1], M + 1).writeTo(dir.resolve("sparsity.safetensors"));
        assertError(dir, "belongs to another SAE");
    }

    private static void assertError(Path dir, String fragment) {
        NanolensException e = assertThrows(NanolensException.class, () -> SaeLensFormat.read(dir));
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private Path withConfig(Path from, String name, String cfg) throws IOException {
        Path dir = copy(from, name);
        Files.writeString(dir.resolve("cfg.json"), cfg);
        return dir;
    }

    private static float[] filled(int n, float v) {
        float[] out = new float[n];
        Arrays.fill(out, v);
        return out;
    }
}
