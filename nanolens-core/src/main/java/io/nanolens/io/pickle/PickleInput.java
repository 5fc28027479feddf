package io.nanolens.io.pickle;

import io.nanolens.NanolensException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of one pickle stream with a read position, for {@link Unpickler}: fixed-width little-endian integers,
 * lengths checked against what is left before anything is allocated, UTF-8 text decoded strictly. Every fault is a
 * one-line {@link NanolensException} naming the source and the byte offset.
 */
final class PickleInput {
    /** The longest "module\nname\n" line GLOBAL may carry; real module paths are far shorter. */
    private static final int MAX_LINE = 512;

    private final byte[] data;
    private final String source;
    private int position;

    PickleInput(byte[] data, String source) {
        this.data = data;
        this.source = source;
    }

    int position() {
        return position;
    }

    boolean atEnd() {
        return position >= data.length;
    }

    int u8() {
        need(1);
        return data[position++] & 0xFF;
    }

    int u16() {
        need(2);
        int v = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8;
        position += 2;
        return v;
    }

    int i32() {
        need(4);
        int v = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8 | (data[position + 2] & 0xFF) << 16
                | (data[position + 3] & 0xFF) << 24;
        position += 4;
        return v;
    }

    /** An unsigned 32-bit value. */
    long u32() {
        return i32() & 0xFFFFFFFFL;
    }

    /** An unsigned 64-bit value; one with the top bit set is reported as a length far beyond the data. */
    long u64() {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data[position + i] & 0xFF);
        }
        position += 8;
        return v < 0 ? Long.MAX_VALUE : v;
    }

    /** A big-endian IEEE 754 double (BINFLOAT). */
    double f64() {
        need(8);
        double v = ByteBuffer.wrap(data, position, 8).getDouble();
        position += 8;
        return v;
    }

    /**
     * The next {@code length} bytes.
     *
     * @throws NanolensException if fewer than {@code length} bytes are left
     */
    byte[] bytes(long length, String what) {
        if (length > data.length - position) {
            throw malformed(what + " declares " + length + " bytes but only " + (data.length - position)
                    + " are left in the file");
        }
        byte[] out = Arrays.copyOfRange(data, position, position + (int) length);
        position += (int) length;
        return out;
    }

    /** The next {@code length} bytes as strict UTF-8 text. */
    String utf8(long length, String what) {
        int at = position;
        byte[] raw = bytes(length, what);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw malformed(what + " at byte " + at + " is not valid UTF-8");
        }
    }

    /** A newline-terminated ASCII line (GLOBAL's module and name), without the newline. */
    String line(String what) {
        int start = position;
        int end = start;
        while (end < data.length && data[end] != '\n') {
            if (end - start >= MAX_LINE || data[end] < 0x20 || data[end] > 0x7E) {
                throw malformed(what + " at byte " + start + " is not a short printable line");
            }
            end++;
        }
        if (end >= data.length) {
            throw truncated();
        }
        position = end + 1;
        return new String(data, start, end - start, StandardCharsets.US_ASCII);
    }

    /** Checks that a FRAME's length fits in what is left (frames only group opcodes; they are not needed). */
    void frame(long length) {
        if (length > data.length - position) {
            throw malformed("FRAME declares " + length + " bytes but only " + (data.length - position)
                    + " are left in the file");
        }
    }

    NanolensException truncated() {
        return new NanolensException(source + ": the pickle stream is truncated, it ends at byte " + data.length
                + " before its STOP opcode; the file is damaged or was cut short, copy it again");
    }

    /** A refusal: {@code source: message}. */
    NanolensException error(String message) {
        return new NanolensException(source + ": " + message);
    }

    /** A stream that breaks the pickle format. */
    NanolensException malformed(String message) {
        return error(message + "; the file is damaged or is not a pickle written by torch.save or tiktoken");
    }

    private void need(int n) {
        if (n > data.length - position) {
            throw truncated();
        }
    }
}
