package io.nanolens.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one JSON entry point: configs, run metadata, SAELens {@code cfg.json} and the safetensors header all go
 * through a single shared Jackson {@link ObjectMapper}. Record components are written as snake_case keys, the
 * external names files on disk use, with every capital starting a word ({@code dIn} → {@code d_in},
 * {@code applyBDecToInput} → {@code apply_b_dec_to_input} as SAELens spells it; Jackson's own SNAKE_CASE would
 * give {@code apply_bdec_to_input}). Map keys are data and stay as they are. Duplicate keys and trailing content are
 * rejected, so a hand-edited file is never half-read. Malformed input becomes a {@link NanolensException} that names
 * the file, line and column.
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(new SnakeCase())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Jackson's messages can quote whole inputs; a one-line error keeps this much of them. */
    private static final int MAX_REASON = 160;

    private Json() {
    }

    /** The shared mapper, for the rare caller that needs Jackson directly; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A new empty JSON object to fill and write. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Parses {@code file} as a JSON tree.
     *
     * @throws NanolensException if the file is missing, unreadable or not valid JSON
     */
    public static JsonNode readTree(Path file) {
        return parse(file.toString(), () -> MAPPER.readTree(Files.readAllBytes(file)));
    }

    /**
     * Parses {@code text} as a JSON tree; {@code source} names where the text came from in error messages.
     *
     * @throws NanolensException if the text is not valid JSON
     */
    public static JsonNode readTree(String text, String source) {
        return parse(source, () -> MAPPER.readTree(text));
    }

    /**
     * Reads {@code file} into a {@code type} (a record, usually).
     *
     * @throws NanolensException if the file is missing, not valid JSON, or does not fit the type
     */
    public static <T> T read(Path file, Class<T> type) {
        return parse(file.toString(), () -> MAPPER.readValue(Files.readAllBytes(file), type));
    }

    /**
     * Converts a parsed tree into a {@code type}; {@code source} names where the tree came from in error messages.
     *
     * @throws NanolensException if the tree does not fit the type
     */
    public static <T> T convert(JsonNode tree, Class<T> type, String source) {
        return parse(source, () -> MAPPER.treeToValue(tree, type));
    }

    /** The value (a record, map or tree) as a JSON tree. */
    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** The value as indented JSON, without a trailing newline. */
    public static String toPrettyString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName() + " to JSON", e);
        }
    }

    /** Atomically writes the value as indented JSON with a trailing newline to {@code file}. */
    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, toPrettyString(value) + "\n");
    }

    /** camelCase → snake_case with an underscore before every capital letter. */
    private static final class SnakeCase extends PropertyNamingStrategies.NamingBase {
        @Override
        public String translate(String name) {
            StringBuilder snake = new StringBuilder(name.length() + 8);
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (Character.isUpperCase(c) && i > 0 && name.charAt(i - 1) != '_') {
                    snake.append('_');
                }
                snake.append(Character.toLowerCase(c));
            }
            return snake.toString();
        }
    }

    private interface Parse<T> {
        T run() throws IOException;
    }

    private static <T> T parse(String source, Parse<T> parse) {
        try {
            return parse.run();
        } catch (JacksonException e) {
            throw new NanolensException("malformed JSON in " + source + where(e.getLocation()) + ": " + reason(e)
                    + "; fix the file or write it again", e);
        } catch (NoSuchFileException e) {
            throw new NanolensException("JSON file " + source + " does not exist; check the path", e);
        } catch (IOException e) {
            throw new NanolensException("cannot read JSON file " + source + ": " + e, e);
        }
    }

    /** Where in the input Jackson stopped, as " at line L, column C", or nothing when unknown. */
    static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Jackson's reason in one short line, without its source excerpts and feature names. */
    static String reason(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null || message.isBlank()) {
            return "unreadable content";
        }
        String line = message.lines().findFirst().orElse("")
                .replaceAll(" \\(start marker at \\[Source: .*?]\\)", "")
                .replaceAll(" \\(bound as .*?\\)", "")
                .replaceAll(": not allowed as per .*", "")
                .replaceAll(" ?\\[Source: .*?]", "");
        return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON) + "...";
    }
}
