package io.nanolens.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.pickle.PickleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nanochat's pickled tokenizer encodes as tiktoken's algorithm does (ids written by the fixture script's own
 * encoder), agrees with nanolens's independent BPE on the same merges, survives a save/load round trip, and refuses
 * encodings it cannot use.
 */
class TiktokenTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void fixtureTokenizerEncodesAsTiktokensAlgorithm() throws URISyntaxException {
        Path root = Path.of(TiktokenTokenizerTest.class.getResource("/fixtures/nanochat-tiny").toURI());
        Tokenizer t = TiktokenPickle.read(root.resolve("tokenizer/tokenizer.pkl"));
        assertEquals(288, t.vocabSize());
        assertEquals(279, t.bosId(), "<|bos|> is the first special token after 256 bytes and 23 merges");
        assertEquals("rustbpe", t.name());
        assertEquals("<|assistant_end|>", new String(t.tokenBytes(283), StandardCharsets.UTF_8));
        for (JsonNode e : Json.readTree(root.resolve("expected.json")).get("encodings")) {
            String text = e.get("text").asText();
            int[] ids = new int[e.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = e.get("ids").get(i).asInt();
            }
            assertArrayEquals(ids, t.encode(text), text);
            assertEquals(text, t.decode(ids));
        }
    }

    @Test
    void ranksTakenFromANanolensBpeEncodeAsThatBpe() {
        Bpe bpe = Bpe.train(TextSamples.documents(), 500);
        Map<byte[], Integer> ranks = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < bpe.vocabSize() - 1; id++) {
            byte[] bytes = bpe.tokenBytes(id);
            assertEquals(null, seen.put(new String(bytes, StandardCharsets.ISO_8859_1), id),
                    "tiktoken needs every token's bytes to be distinct");
            ranks.put(bytes, id);
        }
        TiktokenTokenizer t = new TiktokenTokenizer("bpe", Bpe.PATTERN, ranks, Map.of(Bpe.BOS, bpe.bosId()), "test");
        assertEquals(bpe.vocabSize(), t.vocabSize());
        assertEquals(bpe.bosId(), t.bosId());
        List<String> texts = new ArrayList<>(TextSamples.documents());
        texts.addAll(TextSamples.AWKWARD);
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            texts.add(TextSamples.random(random, 1 + random.nextInt(40)));
        }
        for (String text : texts) {
            assertArrayEquals(bpe.encode(text), t.encode(text), text);
            assertEquals(bpe.decode(bpe.encode(text)), t.decode(t.encode(text)));
        }
    }

    @Test
    void savedTokenizerLoadsBackWithTheSameVocabulary() throws URISyntaxException {
        Path pkl = Path.of(TiktokenTokenizerTest.class.getResource(
                "/fixtures/nanochat-tiny/tokenizer/tokenizer.pkl").toURI());
        Tokenizer original = TiktokenPickle.read(pkl);
        original.save(dir);
        Tokenizer loaded = Tokenizers.load(dir);
        assertInstanceOf(TiktokenTokenizer.class, loaded);
        assertEquals(original.vocabSize(), loaded.vocabSize());
        assertEquals(original.bosId(), loaded.bosId());
        assertEquals(original.name(), loaded.name());
        for (int id = 0; id < original.vocabSize(); id++) {
            assertArrayEquals(original.tokenBytes(id), loaded.tokenBytes(id), "token " + id);
        }
        String text = "the cat sat on the mat, then the dog's 123 ⚡";
        assertArrayEquals(original.encode(text), loaded.encode(text));
    }

    @Test
    void idsNoTokenHasDecodeToNothing() {
        Map<byte[], Integer> ranks = byteRanks();
        ranks.put("ab".getBytes(StandardCharsets.UTF_8), 300);
        TiktokenTokenizer t = new TiktokenTokenizer("gappy", "\\S+|\\s+", ranks, Map.of("<|endoftext|>", 310), "t");
        assertEquals(311, t.vocabSize());
        assertEquals(310, t.bosId(), "<|endoftext|> serves as BOS when there is no <|bos|>");
        assertArrayEquals(new int[] {300, 32, 300}, t.encode("ab ab"));
        assertEquals("abab", t.decode(new int[] {300, 280, 300}));
        assertEquals(0, t.tokenBytes(256).length);
        assertThrows(NanolensException.class, () -> t.decode(new int[] {311}));
    }

    @Test
    void encodingsNanolensCannotUseAreRefused() {
        Map<byte[], Integer> missingByte = byteRanks();
        missingByte.values().remove(200);
        assertRefused(() -> new TiktokenTokenizer("x", "\\S+", missingByte, Map.of("<|bos|>", 256), "x.pkl"),
                "only 255 of the 256 single bytes have a rank");
        assertRefused(() -> new TiktokenTokenizer("x", "\\S+", byteRanks(), Map.of("<|bos|>", 7), "x.pkl"),
                "token id 7 is given to two tokens");
        assertRefused(() -> new TiktokenTokenizer("x", "\\S+", byteRanks(), Map.of("<|eos|>", 256), "x.pkl"),
                "neither <|bos|> nor <|endoftext|>");
        assertRefused(() -> new TiktokenTokenizer("x", "(\\S+", byteRanks(), Map.of("<|bos|>", 256), "x.pkl"),
                "the split pattern does not compile in Java");
        assertRefused(() -> new TiktokenTokenizer("x", "\\S+", byteRanks(), Map.of("<|bos|>", -1), "x.pkl"),
                "token id -1 is outside");
    }

    @Test
    void picklesOfRegisteredEncodingsAreReadByName() throws IOException {
        assertInstanceOf(Gpt2Tokenizer.class, TiktokenPickle.read(encodingPickle("gpt2")));
        assertRefused(() -> TiktokenPickle.read(encodingPickle("cl100k_base")),
                "names tiktoken's built-in encoding 'cl100k_base'; nanolens knows only gpt2");
    }

    @Test
    void picklesOfOtherThingsAreRefused() throws IOException {
        Path dict = Files.write(dir.resolve("dict.pkl"), PickleStream.protocol(4).op('}').stop().bytes());
        assertRefused(() -> TiktokenPickle.read(dict), "does not hold a pickled tiktoken Encoding");
        Path os = Files.write(dir.resolve("os.pkl"), PickleStream.protocol(4).string("os").string("system")
                .op(0x93).stop().bytes());
        assertRefused(() -> TiktokenPickle.read(os), "global os.system (byte 14)");
        Path noRanks = Files.write(dir.resolve("noranks.pkl"), encoding(PickleStream.protocol(4)).op('}')
                .string("name").string("x").op('s').op('b').stop().bytes());
        assertRefused(() -> TiktokenPickle.read(noRanks), "has no 'pat_str' that is a string");
        assertRefused(() -> TiktokenPickle.read(dir.resolve("absent.pkl")), "no tokenizer at");
    }

    private Path encodingPickle(String name) throws IOException {
        return Files.write(dir.resolve(name + ".pkl"), encoding(PickleStream.protocol(4)).string(name).op('b')
                .stop().bytes());
    }

    /** STACK_GLOBAL tiktoken.core Encoding, EMPTY_TUPLE, NEWOBJ: what pickling an Encoding starts with. */
    private static PickleStream encoding(PickleStream s) {
        return s.string("tiktoken.core").string("Encoding").op(0x93).op(')').op(0x81);
    }

    private static Map<byte[], Integer> byteRanks() {
        Map<byte[], Integer> ranks = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            ranks.put(new byte[] {(byte) b}, b);
        }
        return ranks;
    }

    private static void assertRefused(Executable call, String expected) {
        NanolensException e = assertThrows(NanolensException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
