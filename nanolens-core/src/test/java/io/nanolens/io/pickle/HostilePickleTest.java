package io.nanolens.io.pickle;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pickles written to attack or crash a reader: globals that run code, calls of things that are not allowed,
 * truncated and bit-flipped streams, absurd lengths, unknown opcodes, deep nesting and memo tricks. Each must be
 * refused with one single-line {@link NanolensException} that says what is wrong, and nothing may run.
 */
class HostilePickleTest {

    @TempDir
    Path dir;

    @Test
    void globalOsSystemIsRefusedByNameAndNothingRuns() {
        Path marker = dir.resolve("pwned");
        byte[] pickle = PickleStream.protocol(2).global("os", "system").string("touch " + marker).op(0x85).op('R')
                .stop().bytes();
        assertRefused(pickle, "global os.system (byte 2) is not allowed");
        assertFalse(Files.exists(marker), "the command in the pickle must not have run");
    }

    @ParameterizedTest
    @CsvSource({"builtins,eval", "builtins,exec", "builtins,getattr", "posix,system", "subprocess,Popen",
            "copyreg,_reconstructor", "torch.storage,_load_from_bytes", "torch._utils,_rebuild_parameter",
            "numpy.core.multiarray,_reconstruct", "__builtin__,eval", "tiktoken,get_encoding", "collections,deque"})
    void everyGlobalOffTheListIsRefusedByName(String module, String name) {
        byte[] viaGlobal = PickleStream.protocol(2).global(module, name).stop().bytes();
        assertRefused(viaGlobal, "global " + module + "." + name + " (byte 2) is not allowed");
        byte[] viaStack = PickleStream.protocol(4).string(module).string(name).op(0x93).stop().bytes();
        assertRefused(viaStack, "global " + module + "." + name);
    }

    @Test
    void storagesOfOtherTypesAreRefusedWithTheirName() {
        assertRefused(PickleStream.protocol(2).global("torch", "LongStorage").stop().bytes(),
                "tensor storage torch.LongStorage (byte 2) is of a type nanolens cannot read");
    }

    @Test
    void reduceOfSomethingThatIsNotAnAllowedCallableIsRefused() {
        assertRefused(PickleStream.protocol(2).string("os.system").op(')').op('R').stop().bytes(),
                "REDUCE at byte 14 calls a string");
        assertRefused(PickleStream.protocol(2).global("torch", "FloatStorage").op(')').op('R').stop().bytes(),
                "calls torch.FloatStorage with 0 arguments");
        assertRefused(PickleStream.protocol(2).global("tiktoken.core", "Encoding").op(')').op('R').stop().bytes(),
                "calls tiktoken.core.Encoding");
        assertRefused(PickleStream.protocol(2).global("collections", "OrderedDict").string("x").op(0x85).op('R')
                .stop().bytes(), "calls collections.OrderedDict with 1 arguments");
        assertRefused(PickleStream.protocol(2).global("torch._utils", "_rebuild_tensor_v2").op(')').op('R')
                .stop().bytes(), "does not have torch's (storage, offset, size, stride");
    }

    @Test
    void newObjectAndBuildAreRefusedOutsideTheEncodingRecord() {
        assertRefused(PickleStream.protocol(2).global("collections", "OrderedDict").op(')').op(0x81).stop().bytes(),
                "NEWOBJ at byte 28 creates collections.OrderedDict");
        assertRefused(PickleStream.protocol(2).global("tiktoken.core", "Encoding").small(1).op(0x85).op(0x81)
                .stop().bytes(), "creates tiktoken.core.Encoding with 1 arguments");
        assertRefused(PickleStream.protocol(2).op(')').op('}').op('b').stop().bytes(),
                "BUILD at byte 4 sets the state of a tuple");
        assertRefused(PickleStream.protocol(2).global("tiktoken.core", "Encoding").op(')').op(0x81)
                .op('}').op('b').op('}').op('b').stop().bytes(), "sets the state of a tiktoken.core.Encoding object");
    }

    @Test
    void everyTruncationOfRealPicklesIsRefused() throws IOException, URISyntaxException {
        for (byte[] whole : List.of(tokenizerPickle(), checkpointPickle())) {
            for (int length = 0; length < whole.length; length++) {
                byte[] cut = Arrays.copyOf(whole, length);
                NanolensException e = assertThrows(NanolensException.class, () -> Unpickler.load(cut, "cut",
                        id -> id), "a pickle cut to " + length + " bytes");
                assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("are left in the file"),
                        e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BINUNICODE8", "BINBYTES8", "BINBYTES", "BINUNICODE", "FRAME", "LONG4", "SHORT_BINBYTES"})
    void hugeDeclaredLengthsAreRefusedBeforeAllocating(String opcode) {
        PickleStream s = PickleStream.protocol(4);
        switch (opcode) {
            case "BINUNICODE8" -> s.op(0x8d).u64(1L << 62);
            case "BINBYTES8" -> s.op(0x8e).u64(-1L);
            case "BINBYTES" -> s.op('B').i32(0xFFFFFFFFL);
            case "BINUNICODE" -> s.op('X').i32(0x7FFFFFFFL);
            case "FRAME" -> s.op(0x95).u64(1L << 40);
            case "LONG4" -> s.op(0x8b).i32(0x7FFFFFFFL);
            default -> s.op('C').u8(200).raw(new byte[10]);
        }
        assertRefused(s.stop().bytes(), "bytes but only");
    }

    @ParameterizedTest
    @ValueSource(ints = {0xFF, 'i', 'o', 0x82, 0x83, 0x84, 0x92, 'P', 'S', 'I', 'L', 'F', 'V', 0x96, 0x97, 0x98})
    void unknownAndCodeRunningOpcodesAreRefused(int opcode) {
        assertRefused(PickleStream.protocol(2).op(opcode).stop().bytes(),
                String.format("unknown or unsupported pickle opcode 0x%02x at byte 2", opcode));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 6, 255})
    void protocolsOutsideTwoToFiveAreRefused(int version) {
        assertRefused(PickleStream.protocol(version).op('N').stop().bytes(), "pickle protocol " + version);
    }

    @Test
    void deepNestingIsBoundedWhereItCouldRecurse() {
        PickleStream marks = PickleStream.protocol(2);
        for (int i = 0; i <= Unpickler.MAX_MARKS; i++) {
            marks.op('(');
        }
        assertRefused(marks.stop().bytes(), "more than 64 nested MARKs");
        PickleStream tuples = PickleStream.protocol(2).op('N');
        for (int i = 0; i <= Unpickler.MAX_TUPLE_DEPTH; i++) {
            tuples.op(0x85);
        }
        assertRefused(tuples.stop().bytes(), "tuples nest more than 64 deep");
        int depth = 100_000;
        PickleStream lists = PickleStream.protocol(2);
        for (int i = 0; i <= depth; i++) {
            lists.op(']');
        }
        for (int i = 0; i < depth; i++) {
            lists.op('a');
        }
        Object nested = Unpickler.load(lists.stop().bytes(), "lists", null);
        assertInstanceOf(List.class, nested, "lists nested 100,000 deep load without recursion");
    }

    @Test
    void memoTricksAreRefused() {
        assertRefused(PickleStream.protocol(2).op('h').u8(3).stop().bytes(), "memo entry 3 is read at byte 2 but was "
                + "never stored");
        assertRefused(PickleStream.protocol(2).op('j').i32(0xFFFFFFFFL).stop().bytes(), "memo entry 4294967295");
        byte[] selfKey = PickleStream.protocol(2).op('}').op(']').op('2').op('a').small(1).op('s').stop().bytes();
        assertRefused(selfKey, "a list is used as a dict key at byte 8 (unhashable)");
        byte[] tupleWithList = PickleStream.protocol(2).op('}').op(']').op(0x85).small(1).op('s').stop().bytes();
        assertRefused(tupleWithList, "a list is used as a dict key");
    }

    @Test
    void stackMisuseIsRefused() {
        assertRefused(PickleStream.protocol(2).op('s').stop().bytes(), "needs a value but the stack is empty");
        assertRefused(PickleStream.protocol(2).op('}').op('(').small(1).op('a').stop().bytes(),
                "needs a value but the stack is empty");
        assertRefused(PickleStream.protocol(2).op('}').small(1).op('a').stop().bytes(),
                "APPEND at byte 5 adds to a dict, not a list");
        assertRefused(PickleStream.protocol(2).small(1).small(2).op(')').op('s').stop().bytes(),
                "sets an item of an integer");
        assertRefused(PickleStream.protocol(2).op('t').stop().bytes(), "needs a MARK but none is open");
        assertRefused(PickleStream.protocol(2).op('N').op('N').stop().bytes(), "leaves 2 values and 0 open MARKs");
        assertRefused(PickleStream.protocol(2).op('(').op('N').stop().bytes(), "leaves 1 values and 1 open MARKs");
        assertRefused(PickleStream.protocol(2).stop().bytes(), "leaves 0 values");
        assertRefused(PickleStream.protocol(2).op('N').bytes(), "truncated");
        assertRefused(PickleStream.protocol(2).small(5).op('(').small(1).small(2).op('u').stop().bytes(),
                "SETITEM at byte 9 sets an item of an integer, not a dict");
        assertRefused(PickleStream.protocol(2).op('}').op('(').small(1).op('u').stop().bytes(), "are 1 values, not "
                + "pairs");
        assertRefused(PickleStream.protocol(2).small(1).small(2).op(0x93).stop().bytes(), "needs two strings");
        assertRefused(PickleStream.protocol(2).op('c').raw("os\nsys\ttem\n".getBytes()).stop().bytes(),
                "not a short printable line");
    }

    @Test
    void persistentIdsAreRefusedWithoutALoader() {
        assertRefused(PickleStream.protocol(2).small(1).op('Q').stop().bytes(), "persistent id at byte 4");
    }

    @Test
    void invalidUtf8TextIsRefused() {
        assertRefused(PickleStream.protocol(4).op(0x8c).u8(2).u8(0xC3).u8(0x28).stop().bytes(), "is not valid UTF-8");
    }

    @Test
    void randomlyCorruptedPicklesLoadOrFailWithANanolensException() throws IOException, URISyntaxException {
        SplittableRandom random = new SplittableRandom(7);
        for (byte[] whole : List.of(tokenizerPickle(), checkpointPickle())) {
            for (int trial = 0; trial < 1500; trial++) {
                byte[] bad = whole.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                try {
                    Unpickler.load(bad, "fuzz", id -> id);
                } catch (NanolensException e) {
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    fail("trial " + trial + " threw " + e, e);
                }
            }
        }
    }

    private static void assertRefused(byte[] pickle, String expected) {
        NanolensException e = assertThrows(NanolensException.class, () -> Unpickler.load(pickle, "evil.pkl", null));
        assertTrue(e.getMessage().startsWith("evil.pkl: ") && e.getMessage().contains(expected),
                "expected '" + expected + "' in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one-line message");
    }

    private static byte[] tokenizerPickle() throws IOException, URISyntaxException {
        return Files.readAllBytes(fixture("tokenizer/tokenizer.pkl"));
    }

    private static byte[] checkpointPickle() throws IOException, URISyntaxException {
        try (ZipFile zip = new ZipFile(fixture("base_checkpoints/d2/model_000010.pt").toFile())) {
            return zip.getInputStream(zip.getEntry("model_000010/data.pkl")).readAllBytes();
        }
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(HostilePickleTest.class.getResource("/fixtures/nanochat-tiny/" + name).toURI());
    }
}
