package io.nanolens.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates the header of a safetensors file (an 8-byte little-endian length N, then N bytes of UTF-8
 * JSON), so that {@link SafeTensors} can trust every offset it reads: each fault a damaged or hostile file can have
 * becomes a one-line {@link NanolensException} naming the file and the fault, checked before anything is allocated
 * from the file's numbers. Stricter than needed in one place (overlapping tensors are refused, as in the reference
 * implementation) and looser in another (gaps and trailing bytes in the data area are allowed: they cannot cause a
 * wrong read). Follows https://github.com/huggingface/safetensors ({@code read_metadata}, {@code validate}).
 */
final class SafeTensorsHeader {

    /** The reference implementation's cap (100 MB); larger lengths mean a damaged file, not a big model. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * A validated header.
     *
     * @param length   N, the header's length in bytes; the data area starts at byte 8 + N
     * @param tensors  entries in the order their data lies in the file
     * @param metadata the free-form {@code __metadata__} map, empty when absent
     */
    record Parsed(long length, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private SafeTensorsHeader() {
    }

    /** Validates the header at the start of {@code whole}, the complete mapped file. */
    static Parsed parse(Path file, MemorySegment whole) {
        long fileSize = whole.byteSize();
        if (fileSize < 8) {
            throw fault(file, "it is " + fileSize + " bytes long, too short for the 8-byte header length; "
                    + "it is empty, cut off or not a safetensors file");
        }
        long length = whole.get(U64_LE, 0);
        if (Long.compareUnsigned(length, MAX_HEADER_BYTES) > 0) {
            throw fault(file, "header length " + Long.toUnsignedString(length) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes; it is corrupt or not a safetensors file");
        }
        if (length > fileSize - 8) {
            throw fault(file, "header length " + length + " runs past the end of the file (" + fileSize
                    + " bytes); it is truncated or corrupt");
        }
        JsonNode root = json(file, whole.asSlice(8, length).toArray(ValueLayout.JAVA_BYTE));
        long dataLength = fileSize - 8 - length;
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                tensors.add(entry(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        return new Parsed(length, inDataOrder(file, tensors), metadata);
    }

    static NanolensException fault(Path file, String fault) {
        return new NanolensException("safetensors file " + file + ": " + fault);
    }

    private static JsonNode json(Path file, byte[] header) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw fault(file, "header is not valid UTF-8; it is corrupt or not a safetensors file");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (JacksonException e) {
            throw fault(file, "header is not valid JSON" + Json.where(e.getLocation()) + " (" + Json.reason(e)
                    + "); it is corrupt or not a safetensors file");
        }
        if (root == null || !root.isObject()) {
            String kind = root == null || root.isMissingNode() ? "empty" : kindOf(root);
            throw fault(file, "header is " + kind + ", not a JSON object; it is corrupt or not a safetensors file");
        }
        return root;
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw fault(file, "'" + METADATA_KEY + "' is " + kindOf(node) + ", not an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw fault(file, "'" + METADATA_KEY + "' value of '" + field.getKey() + "' is "
                        + kindOf(field.getValue()) + ", not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo entry(Path file, String name, JsonNode node, long dataLength) {
        String what = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw fault(file, what + " is described by " + kindOf(node) + ", not an object");
        }
        Dtype dtype = dtype(file, what, node.get("dtype"));
        long[] shape = naturals(file, what, node.get("shape"), "shape");
        long[] offsets = naturals(file, what, node.get("data_offsets"), "data_offsets");
        if (offsets.length != 2) {
            throw fault(file, what + " has " + offsets.length + " data_offsets, not 2 ([begin, end])");
        }
        long begin = offsets[0];
        long end = offsets[1];
        String range = "data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw fault(file, what + " has " + range + " that end before they begin");
        }
        if (end > dataLength) {
            throw fault(file, what + " has " + range + " outside the data area of " + dataLength
                    + " bytes; the file is truncated or corrupt");
        }
        long bytes;
        try {
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            bytes = Math.multiplyExact(numel, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw fault(file, what + " has shape " + Arrays.toString(shape) + " whose size overflows 64 bits");
        }
        if (end - begin != bytes) {
            throw fault(file, what + " of dtype " + dtype + " and shape " + Arrays.toString(shape) + " needs " + bytes
                    + " bytes but its " + range + " span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static Dtype dtype(Path file, String what, JsonNode node) {
        if (node == null) {
            throw fault(file, what + " has no 'dtype'");
        }
        if (!node.isTextual()) {
            throw fault(file, what + " has 'dtype' " + kindOf(node) + ", not a string");
        }
        Dtype dtype = Dtype.parse(node.textValue());
        if (dtype == null) {
            throw fault(file, what + " has unknown dtype '" + node.textValue() + "'; nanolens reads "
                    + Arrays.toString(Dtype.values()));
        }
        return dtype;
    }

    private static long[] naturals(Path file, String what, JsonNode node, String key) {
        if (node == null) {
            throw fault(file, what + " has no '" + key + "'");
        }
        if (!node.isArray()) {
            throw fault(file, what + " has '" + key + "' " + kindOf(node) + ", not an array of integers");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw fault(file, what + " has '" + key + "' entry " + element + ", not a non-negative 64-bit integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    private static Map<String, TensorInfo> inDataOrder(Path file, List<TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        TensorInfo reaching = null; // the tensor reaching furthest into the data area so far
        for (TensorInfo t : sorted) {
            if (reaching != null && t.begin() < reaching.end()) {
                throw fault(file, "tensor '" + t.name() + "' at [" + t.begin() + ", " + t.end()
                        + "] overlaps tensor '" + reaching.name() + "' at [" + reaching.begin() + ", "
                        + reaching.end() + "]; it is corrupt");
            }
            if (reaching == null || t.end() > reaching.end()) {
                reaching = t;
            }
            byName.put(t.name(), t);
        }
        return Collections.unmodifiableMap(byName);
    }

    private static String kindOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
