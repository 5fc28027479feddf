package io.nanolens.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A tiktoken encoding (byte-level BPE given as mergeable ranks: token bytes → id, plus special tokens and a
 * pre-split regex) behind the {@link Tokenizer} interface: how nanochat's tokenizer reaches nanolens
 * ({@code tokenizer.pkl}, read by {@link TiktokenPickle}). Encoding runs in jtokkit
 * (github.com/knuddelsgmbh/jtokkit) as a custom encoding: split with the pattern (compiled with Unicode character
 * classes, as tiktoken's Rust regex has them), then merge the adjacent pair whose bytes have the lowest rank.
 * Special-token text is encoded as ordinary text (tiktoken's {@code encode_ordinary}); BOS is {@code <|bos|>}
 * (nanochat) or else {@code <|endoftext|>}. Ids no token has (tiktoken allows gaps) decode to nothing.
 *
 * <p>{@code tokenizer.json}, format version 1: {@code {"type": "tiktoken", "version": 1, "name": ...,
 * "pattern": ..., "bos": "<|bos|>", "special_tokens": {"<|bos|>": 65527, ...}, "mergeable_ranks":
 * {"<base64 of the token's bytes>": rank, ...}}} (base64 as in tiktoken's own {@code .tiktoken} files).
 */
public final class TiktokenTokenizer implements Tokenizer {
    static final String TYPE = "tiktoken";
    static final int VERSION = 1;
    /** nanochat's vocabulary is 2^16; OpenAI's largest about 200k. Ids beyond this are not a tokenizer's. */
    static final int MAX_VOCAB = 1 << 22;
    private static final String[] BOS_NAMES = {"<|bos|>", "<|endoftext|>"};

    private final String name;
    private final String pattern;
    private final Map<String, Integer> specialTokens;
    private final byte[][] tokens;   // [vocabSize] bytes of each id, null where no token has the id
    private final int bos;
    private final Encoding encoding;

    /**
     * A tokenizer over a tiktoken encoding's parts.
     *
     * @param source names the file the parts come from, in messages
     * @throws NanolensException if the pattern does not compile, an id is negative, too large or used twice, a single
     *                           byte has no rank, or there is no {@code <|bos|>} or {@code <|endoftext|>}
     */
    public TiktokenTokenizer(String name, String pattern, Map<byte[], Integer> mergeableRanks,
                             Map<String, Integer> specialTokens, String source) {
        this.name = name;
        this.pattern = pattern;
        this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        int maxId = -1;
        for (int id : mergeableRanks.values()) {
            maxId = Math.max(maxId, checkedId(id, source));
        }
        for (int id : specialTokens.values()) {
            maxId = Math.max(maxId, checkedId(id, source));
        }
        tokens = new byte[maxId + 1][];
        mergeableRanks.forEach((bytes, id) -> place(id, bytes.clone(), source));
        specialTokens.forEach((text, id) -> place(id, text.getBytes(StandardCharsets.UTF_8), source));
        checkSingleBytes(mergeableRanks, source);
        bos = bosId(specialTokens, source);
        encoding = jtokkit(name, compile(pattern, source), mergeableRanks, specialTokens);
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(Utf8.replaceLoneSurrogates(text)).toArray();
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] b = token(ids[i]);
            out.write(b, 0, b.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return token(id).clone();
    }

    /** The encoding's own name, such as "rustbpe" for nanochat's. */
    @Override
    public String name() {
        return name;
    }

    /** The special tokens by text, with their ids. */
    public Map<String, Integer> specialTokens() {
        return specialTokens;
    }

    @Override
    public void save(Path dir) {
        ObjectNode root = Json.object();
        root.put("type", TYPE).put("version", VERSION).put("name", name).put("pattern", pattern);
        root.put("bos", new String(tokens[bos], StandardCharsets.UTF_8));
        ObjectNode specials = root.putObject("special_tokens");
        specialTokens.forEach(specials::put);
        ObjectNode ranks = root.putObject("mergeable_ranks");
        Base64.Encoder base64 = Base64.getEncoder();
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] != null && !specialTokens.containsValue(id)) {
                ranks.put(base64.encodeToString(tokens[id]), id);
            }
        }
        try {
            Tokenizers.writeAtomically(dir, Json.mapper().writeValueAsString(root) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The tokenizer a parsed {@code tokenizer.json} of type "tiktoken" describes. */
    static TiktokenTokenizer fromJson(JsonNode root, Path file) {
        Tokenizers.checkHeader(root, file, TYPE, VERSION);
        Map<byte[], Integer> ranks = new HashMap<>();
        Base64.Decoder base64 = Base64.getDecoder();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("mergeable_ranks").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ranks.put(base64.decode(e.getKey()), intValue(e.getValue(), file));
            }
        } catch (IllegalArgumentException e) {
            throw new NanolensException(file + ": a mergeable_ranks key is not base64; the file is damaged", e);
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        root.path("special_tokens").fields().forEachRemaining(e -> specials.put(e.getKey(),
                intValue(e.getValue(), file)));
        return new TiktokenTokenizer(root.path("name").asText(""), root.path("pattern").asText(""), ranks, specials,
                file.toString());
    }

    private static int intValue(JsonNode node, Path file) {
        if (!node.isInt()) {
            throw new NanolensException(file + ": token id " + node + " is not an integer; the file is damaged");
        }
        return node.intValue();
    }

    private byte[] token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new NanolensException("token id " + id + " is outside the vocabulary [0, " + tokens.length
                    + ") of tokenizer " + name + "; the ids come from another tokenizer");
        }
        return tokens[id] == null ? new byte[0] : tokens[id];
    }

    private static int checkedId(int id, String source) {
        if (id < 0 || id >= MAX_VOCAB) {
            throw new NanolensException(source + ": token id " + id + " is outside 0.." + (MAX_VOCAB - 1)
                    + "; this is not a tokenizer nanolens can use");
        }
        return id;
    }

    private void place(int id, byte[] bytes, String source) {
        if (tokens[id] != null) {
            throw new NanolensException(source + ": token id " + id + " is given to two tokens; the encoding is "
                    + "damaged");
        }
        tokens[id] = bytes;
    }

    /** Byte-level BPE needs every byte as a token of its own, or some text could not be encoded at all. */
    private static void checkSingleBytes(Map<byte[], Integer> ranks, String source) {
        boolean[] seen = new boolean[256];
        int count = 0;
        for (byte[] b : ranks.keySet()) {
            if (b.length == 1 && !seen[b[0] & 0xFF]) {
                seen[b[0] & 0xFF] = true;
                count++;
            }
        }
        if (count != 256) {
            throw new NanolensException(source + ": only " + count + " of the 256 single bytes have a rank, so some "
                    + "text could not be encoded; nanolens needs a byte-level encoding");
        }
    }

    private static int bosId(Map<String, Integer> specials, String source) {
        for (String bosName : BOS_NAMES) {
            if (specials.containsKey(bosName)) {
                return specials.get(bosName);
            }
        }
        throw new NanolensException(source + ": the encoding has neither <|bos|> nor <|endoftext|> among its special "
                + "tokens " + specials.keySet() + "; nanolens starts every document with one of them");
    }

    private static Pattern compile(String pattern, String source) {
        try {
            return Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new NanolensException(source + ": the split pattern does not compile in Java (" + e.getDescription()
                    + " at index " + e.getIndex() + ")", e);
        }
    }

    /** A jtokkit encoding over these ranks, registered under a private name in a registry of its own. */
    private static Encoding jtokkit(String name, Pattern pattern, Map<byte[], Integer> ranks,
                                    Map<String, Integer> specials) {
        EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
        String key = "nanolens-tiktoken-" + name;
        registry.registerGptBytePairEncoding(new GptBytePairEncodingParams(key, pattern, ranks, specials));
        return registry.getEncoding(key).orElseThrow();
    }
}
