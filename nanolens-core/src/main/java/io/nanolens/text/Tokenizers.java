package io.nanolens.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.NanolensException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Finds the tokenizer saved in a directory: reads its {@code tokenizer.json}, looks at {@code "type"} ("bpe" for
 * {@link Bpe}, "gpt2" for {@link Gpt2Tokenizer}) and builds that tokenizer. Also holds the JSON reading and the
 * atomic write the tokenizers share.
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
            default -> throw new NanolensException(file + ": unknown tokenizer type \"" + type
                    + "\"; expected \"" + Bpe.TYPE + "\" or \"" + Gpt2Tokenizer.TYPE + "\"");
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

    /**
     * Writes {@code json} to {@code dir/tokenizer.json} through a temporary file in the same directory and an
     * atomic move, so a reader never sees half a file. A private stand-in until {@code io.nanolens.io.AtomicFiles}
     * exists.
     */
    static void writeAtomically(Path dir, String json) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + FILE_NAME + ".", ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer bytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                    channel.force(true); // the data must be on disk before the rename makes it visible
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new NanolensException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
