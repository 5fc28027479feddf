package io.nanolens.text;

import io.nanolens.NanolensException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * One text file (or archive entry) read as documents: the whole text when it has at most {@code maxChars}
 * characters, otherwise consecutive pieces of at most {@code maxChars} cut just after a line break (mid-line only
 * for a line longer than that), so a file larger than memory streams. Concatenated, the pieces give back the file
 * (minus a leading byte-order mark); whitespace-only pieces are skipped. Bytes that are not UTF-8 after the sniffed
 * head are read as U+FFFD.
 */
final class TextChunks extends DocumentIterator {
    /** How much of a file decides whether it is text: enough to catch binary headers, cheap to read twice. */
    static final int SNIFF_BYTES = 8192;

    private final Reader reader;
    private final String name;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private final StringBuilder pending = new StringBuilder();
    private boolean eof;
    private boolean started;
    private boolean closed;

    private TextChunks(InputStream in, String name, int maxChars) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        this.name = name;
        this.maxChars = maxChars;
    }

    /**
     * Reads {@code raw} as text, or closes it and returns null when its first {@value #SNIFF_BYTES} bytes hold a NUL
     * or are not valid UTF-8 (a binary file).
     */
    static TextChunks openOrNull(InputStream raw, String name, int maxChars) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(SNIFF_BYTES + 1);
        byte[] head = in.readNBytes(SNIFF_BYTES);
        in.reset();
        if (!looksLikeText(head, head.length < SNIFF_BYTES)) {
            in.close();
            return null;
        }
        return new TextChunks(in, name, maxChars);
    }

    /** No NUL byte and valid UTF-8; unless {@code whole}, a multi-byte character cut off at the end is allowed. */
    static boolean looksLikeText(byte[] head, boolean whole) {
        for (byte b : head) {
            if (b == 0) {
                return false;
            }
        }
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .decode(ByteBuffer.wrap(head), CharBuffer.allocate(head.length), whole);
        return !result.isError();
    }

    @Override
    protected String advance() {
        try {
            while (true) {
                while (!eof && pending.length() <= maxChars) {
                    fill();
                }
                if (pending.isEmpty()) {
                    return null;
                }
                String document = take();
                if (!document.isBlank()) {
                    return document;
                }
            }
        } catch (IOException e) {
            throw new NanolensException("cannot read corpus file " + name + ": " + e.getMessage(), e);
        }
    }

    private void fill() throws IOException {
        int n = reader.read(buffer);
        if (n < 0) {
            eof = true;
            return;
        }
        int from = 0;
        if (!started && n > 0) {
            started = true;
            from = buffer[0] == '\uFEFF' ? 1 : 0;
        }
        pending.append(buffer, from, n - from);
    }

    private String take() {
        int cut = pending.length();
        if (cut > maxChars) {
            int newline = pending.lastIndexOf("\n", maxChars - 1);
            cut = newline >= 0 ? newline + 1 : maxChars;
            if (newline < 0 && Character.isHighSurrogate(pending.charAt(cut - 1))) {
                cut--;
            }
        }
        String document = pending.substring(0, cut);
        pending.delete(0, cut);
        return document;
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
            throw new NanolensException("cannot close corpus file " + name + ": " + e.getMessage(), e);
        }
    }
}
