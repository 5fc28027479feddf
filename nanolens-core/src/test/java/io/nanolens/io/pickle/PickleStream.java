package io.nanolens.io.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds pickle streams opcode by opcode for tests, including ones no Python pickler would write (hostile, truncated
 * or malformed). Opcode bytes are spelled as in CPython's {@code pickletools}; multi-byte arguments are little-endian.
 */
public final class PickleStream {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Starts with PROTO {@code version}. */
    public static PickleStream protocol(int version) {
        return new PickleStream().op(0x80).u8(version);
    }

    public PickleStream op(int opcode) {
        out.write(opcode);
        return this;
    }

    public PickleStream u8(int value) {
        out.write(value);
        return this;
    }

    public PickleStream i32(long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    public PickleStream u64(long value) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    public PickleStream raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** SHORT_BINUNICODE {@code text}. */
    public PickleStream string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return op(0x8c).u8(utf8.length).raw(utf8);
    }

    /** GLOBAL "module\nname\n". */
    public PickleStream global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** BININT1 {@code value} (0..255). */
    public PickleStream small(int value) {
        return op('K').u8(value);
    }

    public PickleStream stop() {
        return op('.');
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
