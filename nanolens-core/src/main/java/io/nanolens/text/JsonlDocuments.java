package io.nanolens.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.NanolensException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JSON-lines corpus read one line at a time: every non-blank line is an object whose string field {@code text}
 * is one document (the layout of Hugging Face dataset exports and of nanochat's data). Blank lines and blank texts
 * are skipped; any other line stops the reader with a {@link NanolensException} naming the file and line number.
 */
final class JsonlDocuments extends DocumentIterator {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path path;
    private final BufferedReader reader;
    private long line;
    private boolean closed;

    JsonlDocuments(Path path) {
        this.path = path;
        try {
            // A strict decoder, so a non-UTF-8 line is reported instead of silently read as U+FFFD.
            this.reader = new BufferedReader(new InputStreamReader(Files.newInputStream(path),
                    StandardCharsets.UTF_8.newDecoder()), 1 << 16);
        } catch (IOException e) {
            throw new NanolensException("cannot open corpus file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected String advance() {
        try {
            for (String s = reader.readLine(); s != null; s = reader.readLine()) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                String text = parse(s);
                if (!text.isBlank()) {
                    return text;
                }
            }
            return null;
        } catch (CharacterCodingException e) {
            throw new NanolensException(path + " line " + (line + 1) + " is not valid UTF-8: save the file as UTF-8");
        } catch (IOException e) {
            throw new NanolensException("cannot read corpus file " + path + ": " + e.getMessage(), e);
        }
    }

    private String parse(String s) {
        JsonNode node;
        try {
            node = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().replaceAll("\\s+", " ");
            throw new NanolensException(path + " line " + line + " is not valid JSON (" + why
                    + "): every line must be one object like {\"text\": \"...\"}");
        }
        JsonNode text = node.get("text");
        if (!node.isObject() || text == null || !text.isTextual()) {
            throw new NanolensException(path + " line " + line
                    + " has no string field \"text\": every line must be one object like {\"text\": \"...\"}");
        }
        return text.textValue();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.close();
        } catch (IOException e) {
            throw new NanolensException("cannot close corpus file " + path + ": " + e.getMessage(), e);
        }
    }
}
