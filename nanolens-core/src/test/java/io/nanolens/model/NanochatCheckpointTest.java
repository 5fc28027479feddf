package io.nanolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.text.TiktokenTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture nanochat run (tools/nanochat_fixture.py) loads through {@link GptFiles#load} and gives the logits an
 * independent float64 PyTorch forward pass computed, within 1e-4 relative (|a − b| ≤ 1e-4 · max(1, |b|)), both in
 * one pass and decoding through the KV cache; finding the step, the tokenizer and torch.compile's prefix, and
 * refusing checkpoints of another architecture, are checked on copies of it.
 */
class NanochatCheckpointTest {
    private static final double RELATIVE = 1e-4;
    /**
     * A checkpoint runs with nanochat's bfloat16 rotary tables; tables kept in float64 (the reference's "logits")
     * move this model's logits by less than this, so the test can tell the two apart.
     */
    private static final double BF16_ROTARY_GAP = 0.03;
    /** The reference with nanochat's tables, which a checkpoint must reproduce. */
    private static final String LOGITS = "logits_bf16_rotary";

    private static Path root;
    private static JsonNode expected;
    private static int[] tokens;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture() throws URISyntaxException {
        root = Path.of(NanochatCheckpointTest.class.getResource("/fixtures/nanochat-tiny").toURI());
        expected = Json.readTree(root.resolve("expected.json"));
        tokens = new int[expected.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = expected.get("tokens").get(i).asInt();
        }
    }

    @Test
    void fixtureLogitsMatchTheFloat64Reference() {
        GptFiles.Loaded loaded = GptFiles.load(checkpointDir());
        GptConfig c = loaded.gpt().config();
        assertEquals(new GptConfig(32, 288, 2, 4, 2, 64), c);
        assertInstanceOf(TiktokenTokenizer.class, loaded.tokenizer());
        assertEquals(279, loaded.tokenizer().bosId());
        GptState state = GptState.forInference(c, 1, tokens.length);
        loaded.gpt().forward(state, tokens, 1, tokens.length, null, null);
        for (int t = 0; t < tokens.length; t++) {
            assertRow(expected.get(LOGITS).get(t), state.logits(), t * c.vocabSize(), "position " + t);
        }
        double gap = 0;
        for (int t = 0; t < tokens.length; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                gap = Math.max(gap, Math.abs(state.logits()[t * c.vocabSize() + v]
                        - expected.get("logits").get(t).get(v).asDouble()));
            }
        }
        assertTrue(gap > 1e-3 && gap < BF16_ROTARY_GAP, "the bf16 tables are in use, and differ little: " + gap);
    }

    @Test
    void kvCacheDecodingGivesTheSameLogits() {
        Gpt gpt = GptFiles.load(checkpointDir()).gpt();
        int vocab = gpt.config().vocabSize();
        KvCache cache = new KvCache(gpt.config(), tokens.length);
        int prefix = 5;
        float[] first = gpt.forward(cache, Arrays.copyOf(tokens, prefix), null);
        for (int t = 0; t < prefix; t++) {
            assertRow(expected.get(LOGITS).get(t), first, t * vocab, "prefix position " + t);
        }
        for (int t = prefix; t < tokens.length; t++) {
            float[] logits = gpt.forward(cache, new int[] {tokens[t]}, null);
            assertRow(expected.get(LOGITS).get(t), logits, 0, "decoded position " + t);
        }
    }

    @Test
    void aPathToTheModelFileLoadsItWithTheMetaFilesEntries() {
        GptFiles.Loaded loaded = GptFiles.load(checkpointDir().resolve("model_000010.pt"));
        Map<String, String> meta = loaded.metadata();
        assertEquals("nanochat", meta.get("format"));
        assertEquals("10", meta.get("step"));
        assertEquals("4.25", meta.get("val_bpb"));
        assertEquals(root.resolve("tokenizer/tokenizer.pkl").toString(), meta.get("tokenizer"));
    }

    @Test
    void theHighestStepIsTakenAndCompiledNamesLoseTheirPrefix() throws IOException {
        Files.write(dir.resolve("model_000100.pt"), "not read".getBytes(StandardCharsets.US_ASCII));
        Files.copy(checkpointDir().resolve("meta_000010.json"), dir.resolve("meta_000100.json"));
        writeRenamed(dir.resolve("model_000900.pt"), Map.of());
        Files.copy(checkpointDir().resolve("meta_000010.json"), dir.resolve("meta_000900.json"));
        Files.copy(root.resolve("tokenizer/tokenizer.pkl"), dir.resolve("tokenizer.pkl"));
        GptFiles.Loaded loaded = GptFiles.load(dir);
        assertEquals("900", loaded.metadata().get("step"));
        GptState state = GptState.forInference(loaded.gpt().config(), 1, tokens.length);
        loaded.gpt().forward(state, tokens, 1, tokens.length, null, null);
        assertRow(expected.get(LOGITS).get(tokens.length - 1), state.logits(),
                (tokens.length - 1) * loaded.gpt().config().vocabSize(), "last position");
    }

    @Test
    void anExplicitTokenizerFileIsUsed() throws IOException {
        Path model = dir.resolve("run/model_000010.pt");
        Files.createDirectories(model.getParent());
        Files.copy(checkpointDir().resolve("model_000010.pt"), model);
        Files.copy(checkpointDir().resolve("meta_000010.json"), model.resolveSibling("meta_000010.json"));
        GptFiles.Loaded loaded = NanochatCheckpoint.load(model, root.resolve("tokenizer/tokenizer.pkl"));
        assertEquals(288, loaded.tokenizer().vocabSize());
    }

    @Test
    void checkpointsOfAnotherArchitectureOrRunAreRefused() throws IOException {
        assertRefused(withMeta(m -> m.with("model_config").put("window_pattern", "SSSL")),
                "model_config has [window_pattern], which nanochat v1 does not");
        assertRefused(withMeta(m -> m.with("model_config").put("n_layer", 3)),
                "has no tensor 'transformer.h.2.attn.c_q.weight'");
        assertRefused(withMeta(m -> m.with("model_config").put("n_embd", 32)),
                "tensor 'transformer.wte.weight' has shape [288, 64] but the meta file's model_config needs [288, 32]");
        assertRefused(withMeta(m -> m.with("model_config").put("vocab_size", 300)),
                "has 288 tokens but");
        assertRefused(withMeta(m -> m.with("model_config").put("n_head", 3)), "model_config does not make a GPT");
        Path later = dir.resolve("later");
        Files.createDirectories(later);
        writeRenamed(later.resolve("model_000010.pt"), Map.of("lm_head.weight", "resid_lambdas"));
        Files.copy(checkpointDir().resolve("meta_000010.json"), later.resolve("meta_000010.json"));
        Files.copy(root.resolve("tokenizer/tokenizer.pkl"), later.resolve("tokenizer.pkl"));
        assertRefused(later, "holds [resid_lambdas], which a nanochat v1 GPT does not have");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path noMeta = dir.resolve("nometa");
        Files.createDirectories(noMeta);
        Files.copy(checkpointDir().resolve("model_000010.pt"), noMeta.resolve("model_000010.pt"));
        assertRefused(noMeta, "has no meta_000010.json beside it");
        assertRefused(root.resolve("base_checkpoints"), "its subdirectories [d2] hold nanochat checkpoints");
        Files.copy(checkpointDir().resolve("meta_000010.json"), noMeta.resolve("meta_000010.json"));
        Path home = Path.of(System.getProperty("user.home"), ".cache", "nanochat", "tokenizer", "tokenizer.pkl");
        Assumptions.assumeTrue(System.getenv("NANOCHAT_BASE_DIR") == null && !Files.exists(home)
                && !Files.exists(dir.getParent().resolve("tokenizer.pkl")), "no nanochat tokenizer on this machine");
        assertRefused(noMeta, "no tokenizer.pkl for the nanochat checkpoint in " + noMeta + "; looked in [");
        Path misnamed = Files.copy(checkpointDir().resolve("model_000010.pt"), dir.resolve("weights.pt"));
        assertThrows(NanolensException.class, () -> NanochatCheckpoint.load(misnamed));
    }

    private Path checkpointDir() {
        return root.resolve("base_checkpoints/d2");
    }

    /** A copy of the fixture run whose meta file was changed by {@code edit}. */
    private Path withMeta(Consumer<ObjectNode> edit) throws IOException {
        Path copy = Files.createTempDirectory(dir, "run");
        Files.copy(checkpointDir().resolve("model_000010.pt"), copy.resolve("model_000010.pt"));
        ObjectNode meta = (ObjectNode) Json.readTree(checkpointDir().resolve("meta_000010.json"));
        edit.accept(meta);
        Files.writeString(copy.resolve("meta_000010.json"), meta.toString());
        Files.copy(root.resolve("tokenizer/tokenizer.pkl"), copy.resolve("tokenizer.pkl"));
        return copy;
    }

    /**
     * The fixture checkpoint with every tensor name given torch.compile's "_orig_mod." prefix, and the names in
     * {@code renames} replaced: data.pkl spells each name as BINUNICODE ('X', 4-byte length, UTF-8), which is
     * rewritten in place (protocol 2 has no frames whose lengths would change).
     */
    private void writeRenamed(Path target, Map<String, String> renames) throws IOException {
        try (ZipFile zip = new ZipFile(checkpointDir().resolve("model_000010.pt").toFile());
             OutputStream out = Files.newOutputStream(target); ZipOutputStream copy = new ZipOutputStream(out)) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                byte[] bytes = zip.getInputStream(e).readAllBytes();
                if (e.getName().endsWith("/data.pkl")) {
                    List<String> names = new ArrayList<>();
                    expected.get("tensors").fieldNames().forEachRemaining(names::add);
                    for (String name : names) {
                        bytes = replace(bytes, binUnicode(name),
                                binUnicode(NanochatCheckpoint.COMPILED_PREFIX + renames.getOrDefault(name, name)));
                    }
                }
                copy.putNextEntry(new ZipEntry(e.getName()));
                copy.write(bytes);
                copy.closeEntry();
            }
        }
    }

    private static byte[] binUnicode(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + utf8.length).order(ByteOrder.LITTLE_ENDIAN).put((byte) 'X').putInt(utf8.length)
                .put(utf8).array();
    }

    private static byte[] replace(byte[] data, byte[] from, byte[] to) {
        String hex = HexFormat.of().formatHex(data);
        String fromHex = HexFormat.of().formatHex(from);
        assertEquals(1, hex.split(fromHex, -1).length - 1, "the name occurs once in data.pkl");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = hex.indexOf(fromHex) / 2;
        out.write(data, 0, at);
        out.writeBytes(to);
        out.write(data, at + from.length, data.length - at - from.length);
        return out.toByteArray();
    }

    private static void assertRow(JsonNode want, float[] got, int offset, String where) {
        for (int v = 0; v < want.size(); v++) {
            double b = want.get(v).asDouble();
            double a = got[offset + v];
            assertTrue(Math.abs(a - b) <= RELATIVE * Math.max(1, Math.abs(b)),
                    where + ", token " + v + ": nanolens " + a + ", reference " + b);
        }
    }

    private static void assertRefused(Path path, String message) {
        NanolensException e = assertThrows(NanolensException.class, () -> GptFiles.load(path));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
