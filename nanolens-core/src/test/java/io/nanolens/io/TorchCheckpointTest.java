package io.nanolens.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.pickle.PickleStream;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture checkpoint torch.save wrote (bf16, f16, a shared storage with offsets, a transposed view) reads back
 * tensor by tensor as torch described it in expected.json; archives built here check strided gathers against a
 * naive loop and every way a view or an entry can be wrong.
 */
class TorchCheckpointTest {

    @TempDir
    Path dir;

    /** One tensor of a hand-built state dict: a view of storage {@code key}. */
    private record View(String name, String type, String key, int numel, int offset, int[] size, int[] stride) {
    }

    @Test
    void fixtureTensorsAreWhatTorchSaved() throws IOException, URISyntaxException {
        Path root = Path.of(TorchCheckpointTest.class.getResource("/fixtures/nanochat-tiny").toURI());
        Map<String, Tensor> tensors = TorchCheckpoint.read(root.resolve("base_checkpoints/d2/model_000010.pt"));
        JsonNode expected = Json.readTree(root.resolve("expected.json")).get("tensors");
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        assertEquals(names, List.copyOf(tensors.keySet()), "names in the file's order");
        for (String name : names) {
            JsonNode e = expected.get(name);
            float[] data = tensors.get(name).data();
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asInt();
            }
            assertArrayEquals(shape, tensors.get(name).shape(), name);
            double sum = 0;
            for (float v : data) {
                sum += v;
            }
            assertEquals(e.get("sum").asDouble(), sum, 1e-9 * data.length, name + " sum");
            for (int i = 0; i < 4; i++) {
                assertEquals(e.get("first").get(i).asDouble(), data[i], 0.0, name + " value " + i);
                assertEquals(e.get("last").get(i).asDouble(), data[data.length - 4 + i], 0.0, name + " from end");
            }
        }
    }

    @Test
    void stridedAndOffsetViewsAreGatheredInRowMajorOrder() throws IOException {
        float[] storage = new float[60];
        for (int i = 0; i < storage.length; i++) {
            storage[i] = i * 0.5f - 7;
        }
        int[] size = {2, 3, 4};
        int[] stride = {1, 8, 2};
        Path file = archive(List.of(new View("w", "FloatStorage", "0", 60, 3, size, stride),
                new View("c", "FloatStorage", "0", 60, 10, new int[] {5, 2}, new int[] {2, 1}),
                new View("s", "FloatStorage", "0", 60, 59, new int[0], new int[0]),
                new View("e", "FloatStorage", "0", 60, 0, new int[] {0, 3}, new int[] {3, 1})))
                .floats("0", storage).writeTo(dir.resolve("views.pt"));
        Map<String, Tensor> read = TorchCheckpoint.read(file);
        float[] naive = new float[24];
        int n = 0;
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    naive[n++] = storage[3 + a * stride[0] + b * stride[1] + c * stride[2]];
                }
            }
        }
        assertArrayEquals(naive, read.get("w").data());
        assertArrayEquals(Arrays.copyOfRange(storage, 10, 20), read.get("c").data());
        assertArrayEquals(new float[] {storage[59]}, read.get("s").data());
        assertArrayEquals(new int[0], read.get("s").shape());
        assertArrayEquals(new int[] {0, 3}, read.get("e").shape());
    }

    @Test
    void halfAndBfloat16StoragesWidenExactly() throws IOException {
        byte[] f16 = {0x00, 0x3C, 0x00, (byte) 0xC0};          // 1.0, -2.0
        byte[] bf16 = {(byte) 0x80, 0x3F, 0x49, 0x40};          // 1.0, 3.140625
        Path file = archive(List.of(new View("h", "HalfStorage", "0", 2, 0, new int[] {2}, new int[] {1}),
                new View("b", "BFloat16Storage", "1", 2, 0, new int[] {2}, new int[] {1})))
                .entry("data/0", f16).entry("data/1", bf16).writeTo(dir.resolve("half.pt"));
        Map<String, Tensor> read = TorchCheckpoint.read(file);
        assertArrayEquals(new float[] {1f, -2f}, read.get("h").data());
        assertArrayEquals(new float[] {1f, 3.140625f}, read.get("b").data());
    }

    @Test
    void viewsOutsideTheirStorageAreRefused() throws IOException {
        for (View bad : List.of(new View("w", "FloatStorage", "0", 4, 2, new int[] {3}, new int[] {1}),
                new View("w", "FloatStorage", "0", 4, 0, new int[] {2, 2}, new int[] {3, 1}),
                new View("w", "FloatStorage", "0", 4, 0, new int[] {2}, new int[] {-1}),
                new View("w", "FloatStorage", "0", 4, -1, new int[] {2}, new int[] {1}))) {
            Path file = archive(List.of(bad)).floats("0", 1, 2, 3, 4).writeTo(dir.resolve("bad.pt"));
            assertFault(file, "tensor 'w' (offset " + bad.offset() + ", size ");
        }
    }

    @Test
    void storageEntriesThatAreMissingOrOfTheWrongSizeAreRefused() throws IOException {
        List<View> one = List.of(new View("w", "FloatStorage", "0", 4, 0, new int[] {4}, new int[] {1}));
        assertFault(archive(one).writeTo(dir.resolve("missing.pt")), "has no entry archive/data/0");
        assertFault(archive(one).floats("0", 1, 2, 3).writeTo(dir.resolve("short.pt")),
                "storage archive/data/0 holds 12 bytes but data.pkl says 4 F32 values");
    }

    @Test
    void filesThatAreNotTorchZipArchivesAreRefused() throws IOException {
        assertFault(Files.write(dir.resolve("text.pt"), "hello".getBytes()), "is not a zip archive");
        assertFault(Files.write(dir.resolve("legacy.pt"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10}),
                "legacy (pre-1.6) format");
        assertFault(new TorchArchive("a/b").writeTo(dir.resolve("nested.pt")),
                "0 <name>/data.pkl entries");
        assertFault(dir.resolve("absent.pt"), "does not exist");
        List<View> one = List.of(new View("w", "FloatStorage", "0", 1, 0, new int[] {1}, new int[] {1}));
        assertFault(archive(one).floats("0", 1).text("byteorder", "big").writeTo(dir.resolve("big.pt")),
                "saved on a big-endian machine");
    }

    @Test
    void picklesThatAreNotStateDictsOfTensorsAreRefused() throws IOException {
        byte[] list = PickleStream.protocol(2).op(']').stop().bytes();
        assertFault(new TorchArchive("a").pickle(list).writeTo(dir.resolve("list.pt")), "holds a pickled ArrayList");
        byte[] dictOfString = PickleStream.protocol(2).op('}').string("k").string("v").op('s').stop().bytes();
        assertFault(new TorchArchive("a").pickle(dictOfString).writeTo(dir.resolve("str.pt")),
                "state-dict entry k holds a String, not a tensor");
        byte[] badId = PickleStream.protocol(2).op('}').string("k").small(1).op('Q').op('s').stop().bytes();
        assertFault(new TorchArchive("a").pickle(badId).writeTo(dir.resolve("id.pt")),
                "is not torch's ('storage', type, key, location, numel) record");
        byte[] os = PickleStream.protocol(2).global("os", "system").stop().bytes();
        assertFault(new TorchArchive("a").pickle(os).writeTo(dir.resolve("os.pt")), "global os.system");
    }

    private static void assertFault(Path file, String expected) {
        NanolensException e = assertThrows(NanolensException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    /** An archive named "archive" whose data.pkl is the OrderedDict torch.save writes for these views. */
    private static TorchArchive archive(List<View> views) {
        PickleStream s = PickleStream.protocol(2).global("collections", "OrderedDict").op(')').op('R').op('(');
        for (View v : views) {
            s.string(v.name()).global("torch._utils", "_rebuild_tensor_v2").op('(')
                    .op('(').string("storage").global("torch", v.type()).string(v.key()).string("cpu")
                    .op('J').i32(v.numel()).op('t').op('Q')
                    .op('J').i32(v.offset());
            tuple(s, v.size());
            tuple(s, v.stride());
            s.op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
        }
        return new TorchArchive("archive").pickle(s.op('u').stop().bytes());
    }

    private static void tuple(PickleStream s, int[] values) {
        s.op('(');
        for (int v : values) {
            s.op('J').i32(v);
        }
        s.op('t');
    }
}
