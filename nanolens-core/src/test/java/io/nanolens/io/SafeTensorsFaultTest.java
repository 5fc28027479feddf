package io.nanolens.io;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every way a safetensors file can be broken, built byte by byte: opening it must raise one
 * {@link NanolensException} whose single-line message names the file and the fault, never an OutOfMemoryError, an
 * unchecked index error or a silent wrong read.
 */
class SafeTensorsFaultTest {

    @TempDir
    Path dir;

    @Test
    void emptyFileIsRefused() throws IOException {
        assertFault(new SafeTensorsBytes().writeTo(dir.resolve("empty.safetensors")), "0 bytes long");
    }

    @Test
    void fileShorterThanTheLengthPrefixIsRefused() throws IOException {
        assertFault(new SafeTensorsBytes().raw((byte) 16, (byte) 0, (byte) 0, (byte) 0, (byte) 0)
                .writeTo(dir.resolve("short.safetensors")), "5 bytes long");
    }

    @Test
    void headerLengthBeyondTheFileIsRefused() throws IOException {
        assertFault(SafeTensorsBytes.declaring(1000).raw("{}".getBytes(StandardCharsets.UTF_8)).zeros(18)
                .writeTo(dir.resolve("beyond.safetensors")),
                "header length 1000 runs past the end of the file (28 bytes)");
    }

    @Test
    void absurdHeaderLengthIsRefusedBeforeAllocating() throws IOException {
        assertFault(SafeTensorsBytes.declaring(1L << 40).raw((byte) '{', (byte) '}')
                .writeTo(dir.resolve("huge.safetensors")), "header length 1099511627776 exceeds the limit");
        assertFault(SafeTensorsBytes.declaring(-1).writeTo(dir.resolve("u64max.safetensors")),
                "header length 18446744073709551615 exceeds the limit");
        assertFault(SafeTensorsBytes.declaring(100_000_001).writeTo(dir.resolve("justover.safetensors")),
                "exceeds the limit");
    }

    @Test
    void headerThatIsNotUtf8IsRefused() throws IOException {
        byte[] start = "{\"x".getBytes(StandardCharsets.UTF_8);
        byte[] end = "\":{}}".getBytes(StandardCharsets.UTF_8);
        assertFault(SafeTensorsBytes.declaring(start.length + 2 + end.length).raw(start).raw((byte) 0xC3, (byte) 0x28)
                .raw(end).writeTo(dir.resolve("latin.safetensors")), "not valid UTF-8");
    }

    static Stream<Arguments> brokenHeaders() {
        String a = one("a", "\"F32\"", "[2]", "[0,8]");
        return Stream.of(
                arguments("{" + a, 8, "not valid JSON at line 1, column 54"),
                arguments("", 0, "header is empty"),
                arguments("[1,2]", 0, "an array, not a JSON object"),
                arguments("\"weights\"", 0, "a string, not a JSON object"),
                arguments("{" + a + "} {}", 8, "not valid JSON"),
                arguments("{" + a + "," + a + "}", 8, "(Duplicate field 'a')"),
                arguments("{\"a\":[1]}", 8, "tensor 'a' is described by an array, not an object"),
                arguments(header("\"Q4_K\"", "[2]", "[0,8]"), 8, "unknown dtype 'Q4_K'"),
                arguments(header("\"F4\"", "[2]", "[0,1]"), 1, "unknown dtype 'F4'"),
                arguments("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no 'dtype'"),
                arguments("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no 'shape'"),
                arguments("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a' has no 'data_offsets'"),
                arguments(header("32", "[2]", "[0,8]"), 8, "'dtype' a number, not a string"),
                arguments(header("\"F32\"", "\"2\"", "[0,8]"), 8, "'shape' a string, not an array"),
                arguments(header("\"F32\"", "[2.0]", "[0,8]"), 8, "'shape' entry 2.0, not a non-negative"),
                arguments(header("\"F32\"", "[2]", "[\"0\",8]"), 8, "'data_offsets' entry \"0\""),
                arguments(header("\"F32\"", "[2]", "[0,8,16]"), 16, "3 data_offsets, not 2"),
                arguments(header("\"F32\"", "[-2,-1]", "[0,8]"), 8, "'shape' entry -2"),
                arguments(header("\"F32\"", "[2]", "[-8,0]"), 8, "'data_offsets' entry -8"),
                arguments(header("\"F32\"", "[2]", "[0,99999999999999999999]"), 8,
                        "entry 99999999999999999999, not a non-negative 64-bit integer"),
                arguments(header("\"F32\"", "[2]", "[8,0]"), 8, "[8, 0] that end before they begin"),
                arguments(header("\"F32\"", "[4]", "[0,16]"), 8, "[0, 16] outside the data area of 8 bytes"),
                arguments("{" + a + "," + one("b", "\"F32\"", "[2]", "[4,12]") + "}", 12,
                        "'b' at [4, 12] overlaps tensor 'a' at [0, 8]"),
                arguments("{" + one("a", "\"F32\"", "[4]", "[0,16]") + "," + one("b", "\"F32\"", "[1]", "[4,8]") + "}",
                        16, "'b' at [4, 8] overlaps tensor 'a' at [0, 16]"),
                arguments(header("\"F32\"", "[3]", "[0,8]"), 8, "needs 12 bytes but its data_offsets [0, 8] span 8"),
                arguments(header("\"BF16\"", "[2,2]", "[0,16]"), 16, "needs 8 bytes"),
                arguments(header("\"U8\"", "[4294967296,4294967296]", "[0,0]"), 0, "overflows 64 bits"),
                arguments(header("\"F64\"", "[2305843009213693952]", "[0,0]"), 0, "overflows 64 bits"),
                arguments("{\"__metadata__\":[\"pt\"]}", 0, "'__metadata__' is an array, not an object of strings"),
                arguments("{\"__metadata__\":{\"step\":7}}", 0,
                        "'__metadata__' value of 'step' is a number, not a string"));
    }

    /** A header holding one tensor "a" with these raw JSON values. */
    private static String header(String dtype, String shape, String offsets) {
        return "{" + one("a", dtype, shape, offsets) + "}";
    }

    private static String one(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("brokenHeaders")
    void brokenHeaderIsRefusedNamingTheFault(String header, int dataBytes, String fault) throws IOException {
        Path file = SafeTensorsBytes.withHeader(header).zeros(dataBytes).writeTo(dir.resolve("broken.safetensors"));
        assertFault(file, fault);
    }

    @Test
    void reasonableFilesNextToTheFaultsAreAccepted() throws IOException {
        // Guards the fault cases above against passing for a wrong reason: the same shapes, made valid, open fine.
        Path gap = SafeTensorsBytes.withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"__metadata__\":null,\"z\":{\"dtype\":\"U8\",\"shape\":[0,4294967296],\"data_offsets\":[8,8]}}")
                .zeros(12).writeTo(dir.resolve("gap.safetensors"));
        try (SafeTensors st = SafeTensors.open(gap)) {
            assertEquals(List.of("a", "z"), st.names());
        }
    }

    @Test
    void missingFileIsReportedWithItsPath() {
        Path file = dir.resolve("nowhere.safetensors");
        NanolensException e = assertThrows(NanolensException.class, () -> SafeTensors.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    private static void assertFault(Path file, String fault) {
        NanolensException e = assertThrows(NanolensException.class, () -> SafeTensors.open(file).close());
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), "message must name the file: " + message);
        assertTrue(message.contains(fault), "message must name the fault '" + fault + "': " + message);
        assertFalse(message.contains("\n"), "message must be one line: " + message);
    }
}
