package io.nanolens.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Finds the tokenizer saved in a directory: reads its {@code tokenizer.json}, looks at {@code "type"} ("bpe" for
 * {@link Bpe}, "gpt2" for {@link Gpt2Tokenizer}, "tiktoken" for {@link TiktokenTokenizer}) and builds that
 * tokenizer. Also holds the JSON reading and the atomic write the tokenizers share.
 */
public final class Tokenizers {
    /** The file a tokenizer is saved in, inside its directory. */
    public static final String FILE_NAME = "tokenizer.json";
    // A 1M-token BPE takes about 16 MB; anything far larger is not a tokenizer file.
    private static final long MAX_FILE_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Tokenizers() {
    }

    /**
     * Loads the tokenizer saved in {@code dir}.
     *
     * @throws NanolensException if the file is missing, malformed, of an unknown type or version
     */
    public static Tokenizer load(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        JsonNode root = readJson(file);
        String type = root.path("type").asText("");
        return switch (type) {
            case Bpe.TYPE -> Bpe.fromJson(root, file);
            case Gpt2Tokenizer.TYPE -> Gpt2Tokenizer.fromJson(root, file);
            case TiktokenTokenizer.TYPE -> TiktokenTokenizer.fromJson(root, file);
            default -> throw new NanolensException(file + ": unknown tokenizer type \"" + type
                    + "\"; expected \"" + Bpe.TYPE + "\", \"" + Gpt2Tokenizer.TYPE + "\" or \""
                    + TiktokenTokenizer.TYPE + "\"");
        };
    }

    /** Reads {@code file} as one JSON object. */
    static JsonNode readJson(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new NanolensException(file + " is " + size + " bytes, more than the " + MAX_FILE_BYTES
                        + " a tokenizer file can be; point to the directory of a saved tokenizer");
            }
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) {
                throw new NanolensException(file + " does not hold a JSON object; it is not a tokenizer file");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new NanolensException("no tokenizer at " + file + ": train one first or give the directory that"
                    + " holds " + FILE_NAME, e);
        } catch (JsonProcessingException e) {
            throw new NanolensException(file + " is not valid JSON (" + e.getOriginalMessage()
                    + "); the file may be truncated: save the tokenizer again", e);
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Checks that {@code root} is of {@code type} and format {@code version}. */
    static void checkHeader(JsonNode root, Path file, String type, int version) {
        if (!type.equals(root.path("type").asText(null))) {
            throw new NanolensException(file + " holds a tokenizer of type " + root.path("type")
                    + ", not \"" + type + "\"");
        }
        JsonNode v = root.path("version");
        if (!v.isInt() || v.intValue() != version) {
            throw new NanolensException(file + " has format version " + v + "; this nanolens reads version "
                    + version + " of \"" + type + "\" tokenizers");
        }
    }

    /** Quotes {@code s} as a JSON string. */
    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    /** Writes {@code json} to {@code dir/tokenizer.json} atomically, so a reader never sees half a file. */
    static void writeAtomically(Path dir, String json) {
        AtomicFiles.writeString(dir.resolve(FILE_NAME), json);
    }
}
