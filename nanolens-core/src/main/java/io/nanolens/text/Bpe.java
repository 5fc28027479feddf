package io.nanolens.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Our own byte-level BPE tokenizer, trained and applied as nanochat does with rustbpe and tiktoken: text is
 * pre-split with the GPT-4 pattern (nanochat's variant, numbers in groups of at most two digits), each chunk's UTF-8
 * bytes are merged by the learnt merges (ids 0..255 are bytes, merge r makes id 256 + r), and {@code <|bos|>}
 * comes last, id {@code vocabSize() - 1}; text that spells "<|bos|>" is encoded as ordinary text. The pattern is
 * compiled with Unicode character classes, so {@code \s} is Unicode White_Space as in tiktoken's Rust regex; the
 * default pattern runs through {@code PreSplitter}, a hand-written equivalent. Frequent short chunks are cached
 * ({@code ChunkCache}). {@code decode(encode(s))} is {@code s} for every well-formed string; an unpaired surrogate
 * has no UTF-8 form and is encoded as U+FFFD, so it comes back as U+FFFD. Thread-safe.
 *
 * <p>{@code tokenizer.json}, format version 1, written with one merge per line:
 * <pre>{@code
 * {"type": "bpe", "version": 1, "pattern": "<the pre-split regex>",
 *  "special_tokens": {"<|bos|>": 256 + number of merges},
 *  "merges": [[left id, right id], ...]}       // merge r creates id 256 + r
 * }</pre>
 * Read it from Python (the {@code regex} package understands the pattern) and encode the same way (the test fixture
 * {@code bpe-v1/golden_bpe.py} does exactly this):
 * <pre>{@code
 * import json, regex
 * t = json.load(open("tokenizer.json"))
 * vocab = [bytes([b]) for b in range(256)]
 * for a, b in t["merges"]: vocab.append(vocab[a] + vocab[b])
 * rank = {(a, b): 256 + r for r, (a, b) in enumerate(t["merges"])}
 * def encode(text):
 *     ids = []
 *     for chunk in regex.findall(t["pattern"], text):
 *         parts = list(chunk.encode("utf-8"))
 *         while len(parts) > 1:
 *             i = min(range(len(parts) - 1), key=lambda i: rank.get((parts[i], parts[i + 1]), 1 << 30))
 *             if (parts[i], parts[i + 1]) not in rank: break
 *             parts[i:i + 2] = [rank[(parts[i], parts[i + 1])]]
 *         ids += parts
 *     return ids
 * def decode(ids): return b"".join(vocab[i] for i in ids).decode("utf-8", "replace")
 * }</pre>
 * ({@code tiktoken.Encoding(mergeable_ranks={bytes: id})} built from {@code vocab} gives the same ids unless two
 * merges spell the same bytes, which tiktoken cannot represent.)
 */
public final class Bpe implements Tokenizer {
    /** nanochat's pre-split pattern: GPT-4's (cl100k) with {@code \p{N}{1,2}} in place of {@code \p{N}{1,3}}. */
    public static final String PATTERN = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,2}"
            + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";
    /** The one special token: starts every document. */
    public static final String BOS = "<|bos|>";
    static final String TYPE = "bpe";
    static final int VERSION = 1;
    // Chunks up to this many chars are cached: they are the frequent ones (words with their space, punctuation).
    private static final int CACHE_MAX_CHARS = 24;
    // 2^16 slots (a few MB when full) hit 98% of the chunks of 8 MB of Java sources (2^14: 97%, 2^12: 94%).
    private static final int CACHE_BITS = 16;

    private final Pattern pattern;
    private final boolean handWrittenSplit; // PreSplitter does the default pattern's work, faster
    private final MergeTable merges;
    private final byte[] bosBytes = BOS.getBytes(StandardCharsets.UTF_8);
    private final ChunkCache cache = new ChunkCache(CACHE_BITS);

    Bpe(String pattern, MergeTable merges) {
        this.pattern = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
        this.handWrittenSplit = pattern.equals(PATTERN);
        this.merges = merges;
    }

    /** Trains a tokenizer of {@code vocabSize} tokens on {@code documents} with the default budgets. */
    public static Bpe train(Iterable<String> documents, int vocabSize) {
        return train(documents, BpeTrainingConfig.ofVocabSize(vocabSize)).tokenizer();
    }

    /** Trains a tokenizer on {@code documents} and reports what was read and how long it took. */
    public static BpeTrainingReport train(Iterable<String> documents, BpeTrainingConfig config) {
        return new BpeTrainer(config).train(documents);
    }

    /**
     * Loads the BPE tokenizer saved in {@code dir}.
     *
     * @throws NanolensException if {@code dir/tokenizer.json} is missing, malformed or not a BPE tokenizer
     */
    public static Bpe load(Path dir) {
        Path file = dir.resolve(Tokenizers.FILE_NAME);
        return fromJson(Tokenizers.readJson(file), file);
    }

    @Override
    public int[] encode(String text) {
        Output out = new Output(text.length());
        if (handWrittenSplit) {
            for (int start = 0, end; start < text.length(); start = end) {
                end = PreSplitter.chunkEnd(text, start);
                encodeChunk(text, start, end, out);
            }
        } else {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                encodeChunk(text, m.start(), m.end(), out);
            }
        }
        return Arrays.copyOf(out.ids, out.size);
    }

    /** Appends the ids of the chunk {@code text[start, end)} to {@code out}, from the cache when it is there. */
    private void encodeChunk(String text, int start, int end, Output out) {
        boolean cacheable = end - start <= CACHE_MAX_CHARS;
        int hash = cacheable ? ChunkCache.hash(text, start, end) : 0;
        int[] cached = cacheable ? cache.get(text, start, end, hash) : null;
        if (cached != null) {
            int from = ChunkCache.idsFrom(cached);
            out.append(cached, from, cached.length - from);
            return;
        }
        out.reserveParts(Utf8.MAX_BYTES_PER_CHAR * (end - start));
        int length = merges.apply(out.parts, Utf8.encode(text, start, end, out.parts), out.scratch);
        if (cacheable) {
            cache.put(text, start, end, hash, out.parts, length);
        }
        out.append(out.parts, 0, length);
    }

    /** The chunks the pre-split pattern cuts {@code text} into; BPE never merges across them. */
    public List<String> preSplit(String text) {
        List<String> chunks = new ArrayList<>();
        if (handWrittenSplit) {
            for (int start = 0, end; start < text.length(); start = end) {
                end = PreSplitter.chunkEnd(text, start);
                chunks.add(text.substring(start, end));
            }
        } else {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                chunks.add(m.group());
            }
        }
        return chunks;
    }

    /** The growing id array of one {@link #encode} call and the buffers its chunks are merged in. */
    private static final class Output {
        int[] ids;                     // [size..] ids so far
        int size;
        int[] parts = new int[64];     // the chunk being merged, as token ids
        int[] scratch = new int[64];   // pair ranks while merging

        Output(int chars) {
            ids = new int[Math.max(16, chars / 3)]; // most text averages 3+ characters per token
        }

        void reserveParts(int n) {
            if (parts.length < n) {
                parts = new int[n];
                scratch = new int[n];
            }
        }

        void append(int[] values, int from, int n) {
            if (size + n > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(2 * ids.length, size + n));
            }
            System.arraycopy(values, from, ids, size, n);
            size += n;
        }
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        int total = 0;
        for (int i = from; i < to; i++) {
            total += sharedBytes(ids[i]).length;
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (int i = from; i < to; i++) {
            byte[] b = sharedBytes(ids[i]);
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return sharedBytes(id).clone();
    }

    private byte[] sharedBytes(int id) {
        if (id >= 0 && id < merges.tokens()) {
            return merges.bytes(id);
        }
        if (id == bosId()) {
            return bosBytes;
        }
        throw new NanolensException("token id " + id + " is outside the vocabulary [0, " + vocabSize() + ") of "
                + name() + "; the ids come from another tokenizer");
    }

    @Override
    public int vocabSize() {
        return merges.tokens() + 1;
    }

    @Override
    public int bosId() {
        return merges.tokens();
    }

    @Override
    public String name() {
        return TYPE + "-" + vocabSize();
    }

    /** The pre-split regex (a {@link java.util.regex.Pattern} with Unicode character classes). */
    public String pattern() {
        return pattern.pattern();
    }

    /** The merges in rank order: element r is {left id, right id}, which merge into id 256 + r. */
    public int[][] merges() {
        int[][] pairs = new int[merges.merges()][];
        for (int r = 0; r < pairs.length; r++) {
            pairs[r] = new int[] {merges.left(r), merges.right(r)};
        }
        return pairs;
    }

    @Override
    public void save(Path dir) {
        StringBuilder json = new StringBuilder(16 * merges.merges() + 512);
        json.append("{\n  \"type\": \"").append(TYPE).append("\",\n  \"version\": ").append(VERSION)
                .append(",\n  \"pattern\": ").append(Tokenizers.quote(pattern()))
                .append(",\n  \"special_tokens\": {").append(Tokenizers.quote(BOS)).append(": ").append(bosId())
                .append("},\n  \"merges\": [");
        for (int r = 0; r < merges.merges(); r++) {
            json.append(r == 0 ? "\n    [" : ",\n    [").append(merges.left(r)).append(", ")
                    .append(merges.right(r)).append(']');
        }
        json.append(merges.merges() == 0 ? "]\n}\n" : "\n  ]\n}\n");
        Tokenizers.writeAtomically(dir, json.toString());
    }

    /** Builds the tokenizer a parsed {@code tokenizer.json} describes, checking every field. */
    static Bpe fromJson(JsonNode root, Path file) {
        Tokenizers.checkHeader(root, file, TYPE, VERSION);
        JsonNode pattern = root.path("pattern");
        if (!pattern.isTextual()) {
            throw new NanolensException(file + ": \"pattern\" must be a string holding the pre-split regex");
        }
        try {
            Pattern.compile(pattern.textValue());
        } catch (PatternSyntaxException e) {
            throw new NanolensException(file + ": \"pattern\" is not a valid regex: " + e.getDescription(), e);
        }
        MergeTable table = readMerges(root.path("merges"), file);
        JsonNode specials = root.path("special_tokens");
        JsonNode bos = specials.path(BOS);
        if (!specials.isObject() || specials.size() != 1 || !bos.isInt() || bos.intValue() != table.tokens()) {
            throw new NanolensException(file + ": \"special_tokens\" must be {\"" + BOS + "\": " + table.tokens()
                    + "} (the id after the merges), found " + specials);
        }
        return new Bpe(pattern.textValue(), table);
    }

    private static MergeTable readMerges(JsonNode merges, Path file) {
        if (!merges.isArray()) {
            throw new NanolensException(file + ": \"merges\" must be an array of [left id, right id] pairs");
        }
        if (merges.size() > BpeTrainingConfig.MAX_VOCAB_SIZE) {
            throw new NanolensException(file + " has " + merges.size() + " merges, more than the "
                    + BpeTrainingConfig.MAX_VOCAB_SIZE + " nanolens supports");
        }
        int[] lefts = new int[merges.size()];
        int[] rights = new int[merges.size()];
        PairIds seen = new PairIds(lefts.length);
        for (int r = 0; r < lefts.length; r++) {
            JsonNode pair = merges.get(r);
            int limit = MergeTable.BYTE_TOKENS + r;
            if (!pair.isArray() || pair.size() != 2 || !inRange(pair.get(0), limit) || !inRange(pair.get(1), limit)) {
                throw new NanolensException(file + ": merge " + r + " is " + pair + "; it must be [left, right] with"
                        + " ids in [0, " + limit + "), tokens made by earlier merges; the file is damaged");
            }
            lefts[r] = pair.get(0).intValue();
            rights[r] = pair.get(1).intValue();
            if (!seen.put(lefts[r], rights[r], r)) {
                throw new NanolensException(file + ": merge " + r + " repeats the pair " + pair
                        + "; the file is damaged");
            }
        }
        return new MergeTable(lefts, rights);
    }

    private static boolean inRange(JsonNode id, int limit) {
        return id.isInt() && id.intValue() >= 0 && id.intValue() < limit;
    }
}
