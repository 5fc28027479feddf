package io.nanolens.io.pickle;

import io.nanolens.text.Bpe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.URISyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Pickles CPython wrote (protocols 2 to 5 of one dict covering every value kind, and the fixture's tokenizer.pkl)
 * come out as the values Python put in; hand-built streams check the opcodes CPython's pickler did not use here.
 */
class UnpicklerTest {

    /**
     * {@code pickle.dumps(obj, protocol=p)} by CPython 3.11 for obj = {'a': 1, 'neg': -2, 'i2': 40000, 'i4': -100000,
     * 'big': 2**70, 'nbig': -2**65, 'f': 1.5, 's': 'héllo ⚡', 'b': b'\x00\xff', 't': (1, (2, 3), ()),
     * 'l': [None, True, False], 'shared': (x, x)} with x = [1, 2].
     */
    private static final Map<Integer, String> CPYTHON = Map.of(
            2, "80027d71002858010000006171014b0158030000006e656771024afeffffff5802000000693271034d409c5802"
                    + "000000693471044a6079feff580300000062696771058a0900000000000000004058040000006e62696771068a"
                    + "090000000000000000fe5801000000667107473ff80000000000005801000000737108580a00000068c3a96c6c"
                    + "6f20e29aa17109580100000062710a635f636f646563730a656e636f64650a710b580300000000c3bf710c5806"
                    + "0000006c6174696e31710d86710e52710f58010000007471104b014b024b038671112987711258010000006c71"
                    + "135d7114284e888965580600000073686172656471155d7116284b014b02656816867117752e",
            3, "80037d71002858010000006171014b0158030000006e656771024afeffffff5802000000693271034d409c5802"
                    + "000000693471044a6079feff580300000062696771058a0900000000000000004058040000006e62696771068a"
                    + "090000000000000000fe5801000000667107473ff80000000000005801000000737108580a00000068c3a96c6c"
                    + "6f20e29aa17109580100000062710a430200ff710b580100000074710c4b014b024b0386710d2987710e580100"
                    + "00006c710f5d7110284e888965580600000073686172656471115d7112284b014b02656812867113752e",
            4, "800495a1000000000000007d94288c0161944b018c036e6567944afeffffff8c026932944d409c8c026934944a"
                    + "6079feff8c03626967948a090000000000000000408c046e626967948a090000000000000000fe8c016694473f"
                    + "f80000000000008c0173948c0a68c3a96c6c6f20e29aa1948c016294430200ff948c0174944b014b024b038694"
                    + "2987948c016c945d94284e8889658c06736861726564945d94284b014b026568128694752e",
            5, "800595a1000000000000007d94288c0161944b018c036e6567944afeffffff8c026932944d409c8c026934944a"
                    + "6079feff8c03626967948a090000000000000000408c046e626967948a090000000000000000fe8c016694473f"
                    + "f80000000000008c0173948c0a68c3a96c6c6f20e29aa1948c016294430200ff948c0174944b014b024b038694"
                    + "2987948c016c945d94284e8889658c06736861726564945d94284b014b026568128694752e");

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void cpythonPicklesOfEveryProtocolGiveThePythonValues(int protocol) {
        Map<?, ?> d = assertInstanceOf(Map.class, Unpickler.load(HexFormat.of().parseHex(CPYTHON.get(protocol)),
                "test", null));
        assertEquals(List.of("a", "neg", "i2", "i4", "big", "nbig", "f", "s", "b", "t", "l", "shared"),
                List.copyOf(d.keySet()));
        assertEquals(1L, d.get("a"));
        assertEquals(-2L, d.get("neg"));
        assertEquals(40000L, d.get("i2"));
        assertEquals(-100000L, d.get("i4"));
        assertEquals(BigInteger.TWO.pow(70), d.get("big"));
        assertEquals(BigInteger.TWO.pow(65).negate(), d.get("nbig"));
        assertEquals(1.5, d.get("f"));
        assertEquals("héllo ⚡", d.get("s"));
        assertEquals(new PickleBytes(new byte[] {0, (byte) 0xFF}), d.get("b"));
        PickleTuple t = assertInstanceOf(PickleTuple.class, d.get("t"));
        assertEquals(1L, t.get(0));
        assertEquals(new PickleTuple(new Object[] {2L, 3L}), t.get(1));
        assertEquals(0, ((PickleTuple) t.get(2)).size());
        List<?> l = assertInstanceOf(List.class, d.get("l"));
        assertNull(l.get(0));
        assertEquals(List.of(true, false), l.subList(1, 3));
        PickleTuple shared = assertInstanceOf(PickleTuple.class, d.get("shared"));
        assertEquals(List.of(1L, 2L), shared.get(0));
        assertSame(shared.get(0), shared.get(1), "a memoised value is the same object when read back");
    }

    @Test
    void tokenizerFixtureIsAnEncodingRecordWithTiktokensState() throws IOException, URISyntaxException {
        Path pkl = Path.of(UnpicklerTest.class.getResource("/fixtures/nanochat-tiny/tokenizer/tokenizer.pkl").toURI());
        PickledObject enc = assertInstanceOf(PickledObject.class, Unpickler.load(Files.readAllBytes(pkl), "t", null));
        assertEquals("tiktoken.core.Encoding", enc.type().qualifiedName());
        Map<?, ?> state = assertInstanceOf(Map.class, enc.state());
        assertEquals("rustbpe", state.get("name"));
        assertEquals(Bpe.PATTERN, state.get("pat_str"), "nanochat's split pattern, as nanolens's own BPE spells it");
        Map<?, ?> ranks = assertInstanceOf(Map.class, state.get("mergeable_ranks"));
        assertEquals(256 + 23, ranks.size());
        for (int b = 0; b < 256; b++) {
            assertEquals((long) b, ranks.get(new PickleBytes(new byte[] {(byte) b})), "byte " + b + " is rank " + b);
        }
        assertEquals(279L, ((Map<?, ?>) state.get("special_tokens")).get("<|bos|>"));
    }

    @Test
    void markBasedContainersAndMemoOpcodesBuildTheirValues() {
        byte[] pickle = PickleStream.protocol(2).op('(').op('N')
                .op('(').small(1).string("x").op('l')                  // LIST [1, 'x']
                .op('r').i32(70000)                                     // LONG_BINPUT 70000
                .op('(').string("k").small(2).op('d')                   // DICT {'k': 2}
                .op('0')                                                // POP it
                .op(']').op('(').small(7).small(8).op('e')             // APPENDS → [7, 8]
                .op('2').op('a')                                        // DUP + APPEND: the list holds itself
                .op('j').i32(70000)                                     // LONG_BINGET 70000
                .op('t').stop().bytes();
        PickleTuple t = assertInstanceOf(PickleTuple.class, Unpickler.load(pickle, "test", null));
        assertNull(t.get(0));
        assertEquals(List.of(1L, "x"), t.get(1));
        List<?> self = assertInstanceOf(List.class, t.get(2));
        assertEquals(3, self.size());
        assertSame(self, self.get(2), "DUP then APPEND puts a list inside itself, as Python would");
        assertSame(t.get(1), t.get(3), "LONG_BINGET gives back the object LONG_BINPUT stored");
    }

    @Test
    void longOpcodesReadTwosComplementLittleEndian() {
        byte[] pickle = PickleStream.protocol(2).op('(')
                .op(0x8a).u8(0)                                        // LONG1 of no bytes: 0
                .op(0x8a).u8(2).u8(0x00).u8(0x80)                      // LONG1 0x8000 as signed 16-bit: -32768
                .op(0x8b).i32(9).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1})   // LONG4: 2^64
                .op('G').raw(new byte[] {(byte) 0xC0, 0x09, 0x21, (byte) 0xFB, 0x54, 0x44, 0x2D, 0x18})
                .op('t').stop().bytes();
        PickleTuple t = (PickleTuple) Unpickler.load(pickle, "test", null);
        assertEquals(0L, t.get(0));
        assertEquals(-32768L, t.get(1));
        assertEquals(BigInteger.TWO.pow(64), t.get(2));
        assertEquals(-Math.PI, t.get(3));
    }

    @Test
    void bytesOpcodesOfEveryWidthGiveTheirBytes() {
        byte[] pickle = PickleStream.protocol(4).op('(')
                .op('C').u8(1).u8(7)
                .op('B').i32(2).u8(8).u8(9)
                .op(0x8e).u64(1).u8(10)
                .op(0x8d).u64(2).raw("ok".getBytes(StandardCharsets.UTF_8))
                .op('t').stop().bytes();
        PickleTuple t = (PickleTuple) Unpickler.load(pickle, "test", null);
        assertArrayEquals(new byte[] {7}, ((PickleBytes) t.get(0)).value());
        assertArrayEquals(new byte[] {8, 9}, ((PickleBytes) t.get(1)).value());
        assertArrayEquals(new byte[] {10}, ((PickleBytes) t.get(2)).value());
        assertEquals("ok", t.get(3));
    }

    @Test
    void persistentIdsGoToTheLoader() {
        byte[] pickle = PickleStream.protocol(2).string("storage").op(0x85).op('Q').stop().bytes();
        Object value = Unpickler.load(pickle, "test", id -> List.of("loaded", id));
        assertEquals(List.of("loaded", new PickleTuple(new Object[] {"storage"})), value);
    }
}
