package io.nanolens.sae;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A safetensors file built by hand, with no code from {@code io}: the header as a literal JSON string (entries in
 * insertion order, F32, padded with spaces to a multiple of 8 as the reference writer does), an 8-byte
 * little-endian length in front, and the floats little-endian behind. Tests use it to assemble SAE directories
 * exactly as SAELens (Python safetensors) writes them.
 */
final class HandWrittenSafeTensors {
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();

    HandWrittenSafeTensors put(String name, float[] data, int... shape) {
        if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " for " + data.length);
        }
        shapes.put(name, shape);
        values.put(name, data);
        return this;
    }

    byte[] bytes() {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (String name : shapes.keySet()) {
            long end = offset + 4L * values.get(name).length;
            String shape = Arrays.stream(shapes.get(name)).mapToObj(Integer::toString)
                    .collect(Collectors.joining(","));
            header.append(header.length() > 1 ? "," : "").append('"').append(name).append("\":{\"dtype\":\"F32\",")
                    .append("\"shape\":[").append(shape).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(end).append("]}");
            offset = end;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        for (float[] v : values.values()) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                b.putFloat(x);
            }
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
