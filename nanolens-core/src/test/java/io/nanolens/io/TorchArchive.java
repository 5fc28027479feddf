package io.nanolens.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes torch.save-style zip archives for tests: a {@code data.pkl} whose bytes the test builds, and raw storage
 * entries. Lets tests make checkpoints Python would never write (views outside their storage, missing or short
 * entries, big-endian byte order) next to ones it would.
 */
final class TorchArchive {
    private final String name;
    private byte[] pickle = new byte[0];
    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    TorchArchive(String name) {
        this.name = name;
    }

    TorchArchive pickle(byte[] bytes) {
        pickle = bytes;
        return this;
    }

    /** Storage {@code key} holding {@code values} as little-endian float32. */
    TorchArchive floats(String key, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return entry("data/" + key, b.array());
    }

    TorchArchive entry(String path, byte[] bytes) {
        entries.put(path, bytes);
        return this;
    }

    TorchArchive text(String path, String text) {
        return entry(path, text.getBytes(StandardCharsets.US_ASCII));
    }

    Path writeTo(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, name + "/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(zip, name + "/" + e.getKey(), e.getValue());
            }
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String path, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(path));
        zip.write(bytes);
        zip.closeEntry();
    }
}
