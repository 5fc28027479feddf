package io.nanolens.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes float tensors as a safetensors file the way the reference implementation does: the header JSON compact,
 * {@code __metadata__} first, each entry's keys in the order dtype, shape, data_offsets, padded with spaces to a
 * multiple of 8 bytes so the data area starts 8-byte aligned; then the tensors' bytes back to back in the map's
 * order. Data is converted in fixed-size chunks and streamed through {@link AtomicFiles}, so no file-sized buffer
 * exists. Follows https://github.com/huggingface/safetensors ({@code prepare}, {@code serialize_to_file}).
 */
final class SafeTensorsWriter {

    /** Bytes converted per step; one buffer reused for the whole file. */
    private static final int CHUNK_BYTES = 1 << 16;

    /** The reference pads the header so that the data area, and thus every F64/I64 tensor, starts 8-byte aligned. */
    private static final int HEADER_ALIGNMENT = 8;

    private SafeTensorsWriter() {
    }

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16 && dtype != Dtype.F16) {
            throw new IllegalArgumentException("safetensors are written as F32, BF16 or F16, not " + dtype);
        }
        byte[] header = header(file, tensors, metadata, dtype);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            out.write(length.array());
            out.write(header);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor tensor : tensors.values()) {
                writeData(out, tensor.data(), dtype, chunk);
            }
        });
    }

    /** The padded header bytes for these tensors stored as {@code dtype}. */
    static byte[] header(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
        ObjectNode root = Json.object();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            if (entry.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new NanolensException("cannot write " + file + ": a tensor may not be named '"
                        + SafeTensorsHeader.METADATA_KEY + "', the key safetensors reserves for metadata; rename it");
            }
            Tensor tensor = entry.getValue();
            ObjectNode info = root.putObject(entry.getKey());
            info.put("dtype", dtype.name());
            ArrayNode shape = info.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            long end = offset + (long) tensor.size() * dtype.byteSize();
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = compact(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static String compact(ObjectNode root) {
        try {
            return Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers failed to serialize", e);
        }
    }

    private static void writeData(OutputStream out, float[] values, Dtype dtype, ByteBuffer chunk) throws IOException {
        int perChunk = chunk.capacity() / dtype.byteSize();
        for (int start = 0; start < values.length; start += perChunk) {
            int n = Math.min(perChunk, values.length - start);
            switch (dtype) {
                case F32 -> chunk.asFloatBuffer().put(values, start, n);
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        chunk.putShort(2 * i, HalfPrecision.floatToBf16(values[start + i]));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        chunk.putShort(2 * i, HalfPrecision.floatToF16(values[start + i]));
                    }
                }
                default -> throw new IllegalStateException("checked in write: " + dtype);
            }
            out.write(chunk.array(), 0, n * dtype.byteSize());
        }
    }
}
