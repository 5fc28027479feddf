package io.nanolens.io;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading and writing safetensors: files written by nanolens are taken apart byte by byte by {@link SafeTensorsBytes}
 * and hand-built files in the reference layout are read, so the format is proven, not just self-consistent.
 */
class SafeTensorsTest {

    @TempDir
    Path dir;

    @Test
    void writtenFileMatchesTheFormatByteByByte() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", Tensor.of(new float[] {1, -2, 3.5f, 0, 1e-8f, -7}, 2, 3));
        tensors.put("scale", Tensor.of(new float[] {0.25f}));
        Path file = dir.resolve("a.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt"));

        byte[] b = Files.readAllBytes(file);
        long n = SafeTensorsBytes.u64At(b, 0);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"W_enc\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        assertEquals(padded.length(), n);
        assertEquals(padded, new String(b, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals(8 + n + 28, b.length);
        float[] expected = {1, -2, 3.5f, 0, 1e-8f, -7, 0.25f};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), SafeTensorsBytes.u32At(b, 8 + n + 4L * i));
        }
    }

    @Test
    void writtenHalfPrecisionDataIsRoundedValuesInLittleEndian() throws IOException {
        float[] values = {1, -2, 3.14159f, 65504, 1e-7f, Float.NEGATIVE_INFINITY};
        for (Dtype dtype : List.of(Dtype.BF16, Dtype.F16)) {
            Path file = dir.resolve(dtype + ".safetensors");
            SafeTensors.write(file, Map.of("x", Tensor.of(values, 6)), Map.of(), dtype);
            byte[] b = Files.readAllBytes(file);
            long n = SafeTensorsBytes.u64At(b, 0);
            String json = "{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[6],\"data_offsets\":[0,12]}}";
            assertEquals(json, new String(b, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
            for (int i = 0; i < values.length; i++) {
                int expected = dtype == Dtype.BF16 ? HalfPrecisionTest.bf16Nearest(values[i])
                        : Float.floatToFloat16(values[i]) & 0xFFFF;
                assertEquals(expected, SafeTensorsBytes.u16At(b, 8 + n + 2L * i), dtype + " value " + i);
            }
        }
    }

    @Test
    void headerIsPaddedSoTheDataStartsEightByteAligned() throws IOException {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            SafeTensors.write(file, Map.of("x".repeat(nameLength), Tensor.zeros(2)), Map.of());
            byte[] b = Files.readAllBytes(file);
            long n = SafeTensorsBytes.u64At(b, 0);
            assertEquals(0, (8 + n) % 8, "name length " + nameLength);
            String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.stripTrailing().endsWith("}") && header.substring(header.lastIndexOf('}') + 1).isBlank());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"F32", "BF16", "F16"})
    void roundTripKeepsNamesOrderShapesMetadataAndRoundedValues(Dtype dtype) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z_last_by_name", Tensor.randn(1, 3f, 4, 5));
        tensors.put("scalar", Tensor.of(new float[] {-1.5f}));
        tensors.put("empty", Tensor.zeros(0, 3));
        tensors.put("cube", Tensor.randn(2, 0.01f, 3, 2, 2));
        tensors.put("a_first_by_name", Tensor.randn(3, 1000f, 7));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("nanolens", "ünïcode ✓");
        Path file = dir.resolve("round.safetensors");
        SafeTensors.write(file, tensors, metadata, dtype);

        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), st.names());
            assertEquals(metadata, st.metadata());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor original = e.getValue();
                Tensor loaded = st.load(e.getKey());
                assertEquals(dtype, st.info(e.getKey()).dtype());
                assertArrayEquals(original.shape(), loaded.shape(), e.getKey());
                float[] expected = new float[original.size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = rounded(original.data()[i], dtype);
                }
                assertArrayEquals(expected, loaded.data(), e.getKey());
            }
            assertEquals(tensors.keySet(), st.loadAll().keySet());
        }
    }

    @Test
    void handBuiltFileFromTheReferenceDocsReadsCorrectly() throws IOException {
        // The example in the reference's SafeTensors::deserialize docs: a 60-byte header and a 2x2 I32 tensor.
        String header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        assertEquals(60, header.length());
        Path file = SafeTensorsBytes.withHeader(header).u32(1).u32(-2).u32(3).u32(Integer.MAX_VALUE)
                .writeTo(dir.resolve("docs.safetensors"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("test"), st.names());
            assertArrayEquals(new long[] {2, 2}, st.info("test").shape());
            assertEquals(Dtype.I32, st.info("test").dtype());
            assertArrayEquals(new int[] {1, -2, 3, Integer.MAX_VALUE}, st.loadInts("test"));
            assertArrayEquals(new long[] {1, -2, 3, Integer.MAX_VALUE}, st.loadLongs("test"));
            assertEquals(Map.of(), st.metadata());
        }
    }

    @Test
    void handBuiltMixedFileWithUnalignedDataAndSpacePaddingReadsCorrectly() throws IOException {
        // Tensors listed out of data order, a header length of 3 mod 4 so no tensor is aligned, padding spaces.
        String header = "{\"f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"__metadata__\":{\"k\":\"v\"},"
                + "\"half\":{\"shape\":[2,2],\"dtype\":\"F16\",\"data_offsets\":[0,8]},"
                + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]}}";
        header += " ".repeat((3 - header.length() % 4 + 4) % 4 + 4);
        assertEquals(3, header.length() % 4);
        Path file = SafeTensorsBytes.withHeader(header)
                .u16(0x3C00).u16(0xC000).u16(0x7BFF).u16(0x0001)   // 1, -2, 65504, 2^-24
                .u16(0x3F80).u16(0x4049).u16(0xFF80).u16(0x0080)   // 1, 3.140625, -inf, 2^-126
                .f32(0.1f, -3e38f)
                .writeTo(dir.resolve("mixed.safetensors"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("half", "brain", "f32"), st.names());
            assertEquals(Map.of("k", "v"), st.metadata());
            Tensor half = st.load("half");
            assertArrayEquals(new int[] {2, 2}, half.shape());
            assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f}, half.data());
            assertArrayEquals(new float[] {1, 3.140625f, Float.NEGATIVE_INFINITY, 0x1p-126f}, st.load("brain").data());
            assertArrayEquals(new float[] {0.1f, -3e38f}, st.load("f32").data());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"F32", "BF16", "F16"})
    void rowRangesMatchTheSameRowsOfTheWholeTensor(Dtype dtype) {
        Tensor big = Tensor.randn(5, 1f, 7, 3);
        Path file = dir.resolve("rows.safetensors");
        SafeTensors.write(file, Map.of("acts", big), Map.of(), dtype);
        try (SafeTensors st = SafeTensors.open(file)) {
            float[] whole = st.load("acts").data();
            Tensor rows = st.loadRows("acts", 2, 5);
            assertArrayEquals(new int[] {3, 3}, rows.shape());
            assertArrayEquals(Arrays.copyOfRange(whole, 6, 15), rows.data());
            float[] dst = new float[20];
            Arrays.fill(dst, 99);
            st.readRows("acts", 6, 7, dst, 4);
            assertArrayEquals(Arrays.copyOfRange(whole, 18, 21), Arrays.copyOfRange(dst, 4, 7));
            assertEquals(99, dst[3]);
            assertEquals(99, dst[7]);
            assertEquals(0, st.loadRows("acts", 7, 7).size());
            assertThrows(IndexOutOfBoundsException.class, () -> st.loadRows("acts", 5, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> st.loadRows("acts", 3, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> st.readRows("acts", 0, 7, new float[20], 0));
        }
    }

    @Test
    void rowsBeyondTwoGigabytesAreReadFromAMappedSparseFile() throws IOException {
        long rows = (1L << 29) + 16; // [rows, 4] F32: 8 GiB of data, more values than a Java array holds
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + rows + ",4],"
                + "\"data_offsets\":[0," + rows * 16 + "]}}";
        Path file = SafeTensorsBytes.withHeader(header).writeTo(dir.resolve("big.safetensors"));
        long dataStart = 8 + header.length();
        float[] last = {1.5f, -2.5f, 3.5f, 4.5f};
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(last);
            channel.write(buffer, dataStart + (rows - 1) * 16); // extends the file sparsely: 8 GiB of holes
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(last, st.loadRows("big", rows - 1, rows).data());
            assertArrayEquals(new float[8], st.loadRows("big", (1L << 27) - 1, 1L << 27 | 1).data());
            NanolensException e = assertThrows(NanolensException.class, () -> st.load("big"));
            assertTrue(e.getMessage().contains("row ranges"), e.getMessage());
        }
        Files.delete(file);
    }

    @Test
    void integerTensorsLoadAsIntegersAndRefuseFloatLoading() throws IOException {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        Path file = SafeTensorsBytes.withHeader(header).u64(Long.MIN_VALUE).u64(42)
                .writeTo(dir.resolve("ids.safetensors"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertArrayEquals(new long[] {Long.MIN_VALUE, 42}, st.loadLongs("ids"));
            NanolensException asFloat = assertThrows(NanolensException.class, () -> st.load("ids"));
            assertTrue(asFloat.getMessage().contains("I64") && asFloat.getMessage().contains(file.toString()));
            NanolensException asInt = assertThrows(NanolensException.class, () -> st.loadInts("ids"));
            assertTrue(asInt.getMessage().contains("I64"));
        }
    }

    @Test
    void missingTensorIsReportedWithTheFileAndName() {
        Path file = dir.resolve("one.safetensors");
        SafeTensors.write(file, Map.of("W_dec", Tensor.zeros(2, 2)), Map.of());
        try (SafeTensors st = SafeTensors.open(file)) {
            NanolensException e = assertThrows(NanolensException.class, () -> st.load("W_enc"));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'W_enc'")
                    && e.getMessage().contains("W_dec"), e.getMessage());
        }
    }

    @Test
    void closeReleasesTheMappingAndLaterReadsFail() {
        Path file = dir.resolve("closed.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.zeros(3)), Map.of());
        SafeTensors st = SafeTensors.open(file);
        Tensor before = st.load("x");
        st.close();
        st.close();
        assertEquals(3, before.size());
        assertThrows(IllegalStateException.class, () -> st.load("x"));
    }

    @Test
    void scalarHasNoRowsToRead() {
        Path file = dir.resolve("scalar.safetensors");
        SafeTensors.write(file, Map.of("loss", Tensor.of(new float[] {2.5f})), Map.of());
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(2.5f, st.load("loss").data()[0]);
            NanolensException e = assertThrows(NanolensException.class, () -> st.loadRows("loss", 0, 1));
            assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains(file.toString()));
        }
    }

    @Test
    void emptyFileOfTensorsRoundTrips() {
        Path file = dir.resolve("none.safetensors");
        SafeTensors.write(file, Map.of(), Map.of());
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of(), st.names());
        }
    }

    @Test
    void tensorNamedLikeTheMetadataKeyIsRefused() {
        Path file = dir.resolve("bad.safetensors");
        NanolensException e = assertThrows(NanolensException.class,
                () -> SafeTensors.write(file, Map.of("__metadata__", Tensor.zeros(1)), Map.of()));
        assertTrue(e.getMessage().contains("__metadata__"));
        assertTrue(Files.notExists(file));
    }

    @Test
    void writingOnlyAcceptsFloatTargetTypes() {
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(dir.resolve("i.safetensors"), Map.of(), Map.of(), Dtype.I32));
    }

    private static float rounded(float x, Dtype dtype) {
        return switch (dtype) {
            case F32 -> x;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
            case BF16 -> HalfPrecisionTest.bf16Value(HalfPrecisionTest.bf16Nearest(x));
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }
}
