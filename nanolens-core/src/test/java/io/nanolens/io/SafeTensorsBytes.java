package io.nanolens.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-side safetensors bytes built and taken apart by hand, with no code from {@code io}: little-endian numbers by
 * shifting, headers as literal strings. Tests use it to build broken files byte by byte and to check the writer's
 * output against the format rather than against our own reader.
 */
final class SafeTensorsBytes {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** A file whose first 8 bytes declare {@code declaredLength}, whatever follows. */
    static SafeTensorsBytes declaring(long declaredLength) {
        SafeTensorsBytes file = new SafeTensorsBytes();
        file.u64(declaredLength);
        return file;
    }

    /** A file with a correct length prefix for {@code header} (UTF-8), followed by the header. */
    static SafeTensorsBytes withHeader(String header) {
        byte[] utf8 = header.getBytes(StandardCharsets.UTF_8);
        return declaring(utf8.length).raw(utf8);
    }

    SafeTensorsBytes raw(byte... values) {
        bytes.writeBytes(values);
        return this;
    }

    SafeTensorsBytes zeros(int count) {
        return raw(new byte[count]);
    }

    SafeTensorsBytes u64(long value) {
        for (int i = 0; i < 8; i++) {
            bytes.write((int) (value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    SafeTensorsBytes u32(int value) {
        for (int i = 0; i < 4; i++) {
            bytes.write((value >>> (8 * i)) & 0xFF);
        }
        return this;
    }

    SafeTensorsBytes u16(int value) {
        bytes.write(value & 0xFF);
        bytes.write((value >>> 8) & 0xFF);
        return this;
    }

    SafeTensorsBytes f32(float... values) {
        for (float v : values) {
            u32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    byte[] toBytes() {
        return bytes.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    static long u64At(byte[] b, int at) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (b[at + i] & 0xFF);
        }
        return value;
    }

    static int u32At(byte[] b, long at) {
        int i = Math.toIntExact(at);
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    static int u16At(byte[] b, long at) {
        int i = Math.toIntExact(at);
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }
}
