package io.nanolens.io.pickle;

import io.nanolens.NanolensException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safe reader of Python pickles (protocols 2 to 5) for the two kinds nanolens meets: the {@code data.pkl} of a
 * {@code torch.save} archive (a state dict of tensors) and a pickled tiktoken Encoding (nanochat's
 * {@code tokenizer.pkl}). It runs the pickle machine's data opcodes on a stack, but a global is only a name:
 * {@link AllowedGlobals} lists the few that may appear and turns REDUCE, NEWOBJ and BUILD on them into plain data,
 * and refuses every other name, so no code from the file ever runs. Values come out as null, Boolean, Long
 * (BigInteger past 64 bits), Double, String, {@link PickleBytes}, {@link PickleTuple}, {@link ArrayList},
 * {@link LinkedHashMap} (dict and OrderedDict), {@link PickleGlobal}, {@link PickledObject}, {@link PickledTensor}
 * and whatever the persistent-id loader returns. Lengths are checked against the bytes left before anything is
 * allocated; the stack, the memo and MARK nesting are bounded; dictionary keys must be hashable (no lists or
 * dicts, as in Python). Follows the opcode definitions in CPython's {@code Lib/pickletools.py}.
 */
public final class Unpickler {
    /** Turns a persistent id (torch: the tuple ('storage', type, key, location, numel)) into a value. */
    @FunctionalInterface
    public interface PersistentLoader {
        Object load(Object persistentId);
    }

    /** Open MARKs at once; torch and tiktoken pickles nest three deep. */
    static final int MAX_MARKS = 64;
    /** Values on the stack or in the memo; a 200k-token tokenizer needs about 400k. */
    static final int MAX_VALUES = 1 << 23;
    /** Tuples inside tuples; deeper nesting would make hashing a key recurse without bound. */
    static final int MAX_TUPLE_DEPTH = 64;
    private static final int HIGHEST_PROTOCOL = 5;

    private final PickleInput in;
    private final PersistentLoader loader;
    private final List<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARKS];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private int at;   // offset of the opcode being run, for messages

    private Unpickler(byte[] data, String source, PersistentLoader loader) {
        this.in = new PickleInput(data, source);
        this.loader = loader;
    }

    /**
     * The value the pickle in {@code data} describes.
     *
     * @param source names the file in messages
     * @param loader resolves BINPERSID; null refuses them
     * @throws NanolensException if the stream is truncated or malformed, uses an unknown opcode, exceeds a limit, or
     *                           names a global that is not allowed
     */
    public static Object load(byte[] data, String source, PersistentLoader loader) {
        return new Unpickler(data, source, loader).run();
    }

    private Object run() {
        while (!in.atEnd()) {
            at = in.position();
            int op = in.u8();
            if (op == '.') {
                return stop();
            }
            step(op);
            if (stack.size() > MAX_VALUES || memo.size() > MAX_VALUES) {
                throw in.error("more than " + MAX_VALUES + " values on the stack or in the memo at byte " + at);
            }
        }
        throw in.truncated();
    }

    private Object stop() {
        if (markCount != 0 || stack.size() != 1) {
            throw in.malformed("STOP at byte " + at + " leaves " + stack.size() + " values and " + markCount
                    + " open MARKs instead of one value");
        }
        return stack.get(0);
    }

    private void step(int op) {
        switch (op) {
            case 0x80 -> protocol(in.u8());
            case 0x95 -> in.frame(in.u64());
            case '(' -> mark();
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> push(peek());
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'K' -> push((long) in.u8());
            case 'M' -> push((long) in.u16());
            case 'J' -> push((long) in.i32());
            case 0x8a -> push(bigInteger(in.u8()));
            case 0x8b -> push(bigInteger(in.i32()));
            case 'G' -> push(in.f64());
            case 0x8c -> push(in.utf8(in.u8(), "SHORT_BINUNICODE"));
            case 'X' -> push(in.utf8(in.u32(), "BINUNICODE"));
            case 0x8d -> push(in.utf8(in.u64(), "BINUNICODE8"));
            case 'C' -> push(new PickleBytes(in.bytes(in.u8(), "SHORT_BINBYTES")));
            case 'B' -> push(new PickleBytes(in.bytes(in.u32(), "BINBYTES")));
            case 0x8e -> push(new PickleBytes(in.bytes(in.u64(), "BINBYTES8")));
            case ')' -> push(new PickleTuple(new Object[0]));
            case 0x85, 0x86, 0x87 -> push(tuple(popN(op - 0x84)));
            case 't' -> push(tuple(popMark()));
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(Arrays.asList(popMark())));
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> push(putAll(new LinkedHashMap<>(), popMark()));
            case 'a' -> append(pop());
            case 'e' -> appendAll(popMark());
            case 's' -> setItem();
            case 'u' -> setItems(popMark());
            case 'q' -> memoize(in.u8());
            case 'r' -> memoize(in.u32());
            case 0x94 -> memoize(memo.size());
            case 'h' -> push(recall(in.u8()));
            case 'j' -> push(recall(in.u32()));
            case 'c' -> push(AllowedGlobals.resolve(in.line("GLOBAL module"), in.line("GLOBAL name"), in, at));
            case 0x93 -> stackGlobal();
            case 'R' -> reduce();
            case 0x81 -> newObject();
            case 'b' -> build(pop());
            case 'Q' -> persistent(pop());
            default -> throw in.error(String.format("unknown or unsupported pickle opcode 0x%02x at byte %d; "
                    + "nanolens reads the opcodes torch.save and tiktoken pickles use", op, at));
        }
    }

    private void protocol(int version) {
        if (version < 2 || version > HIGHEST_PROTOCOL) {
            throw in.error("pickle protocol " + version + " at byte " + at + " is not one nanolens reads (2 to "
                    + HIGHEST_PROTOCOL + ")");
        }
    }

    private void mark() {
        if (markCount == MAX_MARKS) {
            throw in.error("more than " + MAX_MARKS + " nested MARKs at byte " + at);
        }
        marks[markCount++] = stack.size();
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw in.malformed("the opcode at byte " + at + " needs a value but the stack is empty");
        }
        return stack.removeLast();
    }

    private Object peek() {
        Object top = pop();
        push(top);
        return top;
    }

    /** The last {@code n} values, oldest first. */
    private Object[] popN(int n) {
        Object[] values = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            values[i] = pop();
        }
        return values;
    }

    /** The values pushed since the last MARK, oldest first, and the MARK itself. */
    private Object[] popMark() {
        if (markCount == 0) {
            throw in.malformed("the opcode at byte " + at + " needs a MARK but none is open");
        }
        int from = marks[--markCount];
        List<Object> top = stack.subList(from, stack.size());
        Object[] values = top.toArray();
        top.clear();
        return values;
    }

    private PickleTuple tuple(Object[] values) {
        PickleTuple t = new PickleTuple(values);
        if (t.depth() > MAX_TUPLE_DEPTH) {
            throw in.error("tuples nest more than " + MAX_TUPLE_DEPTH + " deep at byte " + at);
        }
        return t;
    }

    private BigInteger bigIntegerOf(byte[] littleEndian) {
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return bigEndian.length == 0 ? BigInteger.ZERO : new BigInteger(bigEndian);
    }

    /** LONG1/LONG4: a little-endian two's-complement integer of {@code length} bytes; a Long when it fits. */
    private Object bigInteger(long length) {
        if (length < 0) {
            throw in.malformed("LONG4 at byte " + at + " declares a negative length " + length);
        }
        BigInteger value = bigIntegerOf(in.bytes(length, "LONG"));
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private List<Object> listOnTop() {
        if (!(peek() instanceof ArrayList<?>)) {
            throw in.malformed("APPEND at byte " + at + " adds to " + describe(peek()) + ", not a list");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) peek();
        return list;
    }

    private Map<Object, Object> dictOnTop() {
        if (!(peek() instanceof LinkedHashMap<?, ?>)) {
            throw in.malformed("SETITEM at byte " + at + " sets an item of " + describe(peek()) + ", not a dict");
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) peek();
        return dict;
    }

    private void append(Object value) {
        listOnTop().add(value);
    }

    private void appendAll(Object[] values) {
        listOnTop().addAll(Arrays.asList(values));
    }

    private void setItem() {
        Object value = pop();
        Object key = pop();
        dictOnTop().put(hashable(key), value);
    }

    /** SETITEMS: the pairs above the MARK go into the dict below it (popped first, so the dict is on top). */
    private void setItems(Object[] keysAndValues) {
        putAll(dictOnTop(), keysAndValues);
    }

    private Map<Object, Object> putAll(Map<Object, Object> dict, Object[] keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw in.malformed("the dict items at byte " + at + " are " + keysAndValues.length + " values, not pairs");
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            dict.put(hashable(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return dict;
    }

    /** Python refuses lists, dicts and objects as keys; so does this, which also keeps hashing from recursing. */
    private Object hashable(Object key) {
        boolean ok = key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean || key instanceof PickleBytes
                || key instanceof PickleGlobal;
        if (key instanceof PickleTuple t) {
            ok = true;
            for (Object item : t.items()) {
                hashable(item);
            }
        }
        if (!ok) {
            throw in.malformed(describe(key) + " is used as a dict key at byte " + at + " (unhashable)");
        }
        return key;
    }

    private void memoize(long index) {
        memo.put(index, peek());
    }

    private Object recall(long index) {
        if (!memo.containsKey(index)) {
            throw in.malformed("memo entry " + index + " is read at byte " + at + " but was never stored");
        }
        return memo.get(index);
    }

    private void stackGlobal() {
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
            throw in.malformed("STACK_GLOBAL at byte " + at + " needs two strings");
        }
        push(AllowedGlobals.resolve(m, n, in, at));
    }

    private void reduce() {
        Object args = pop();
        Object callable = pop();
        if (!(callable instanceof PickleGlobal g) || !(args instanceof PickleTuple t)) {
            throw in.error("REDUCE at byte " + at + " calls " + describe(callable) + " with " + describe(args)
                    + "; nanolens calls nothing but the allowed globals");
        }
        push(AllowedGlobals.reduce(g, t, in, at));
    }

    private void newObject() {
        Object args = pop();
        Object cls = pop();
        if (!(cls instanceof PickleGlobal g) || !(args instanceof PickleTuple t)) {
            throw in.malformed("NEWOBJ at byte " + at + " creates " + describe(cls) + " with " + describe(args));
        }
        push(AllowedGlobals.newObject(g, t, in, at));
    }

    /** BUILD: an Encoding records its state once; an OrderedDict's attributes (torch's _metadata) are dropped. */
    private void build(Object state) {
        Object target = peek();
        if (target instanceof PickledObject object && !object.built()) {
            object.build(state);
        } else if (!(target instanceof LinkedHashMap<?, ?>) || !(state instanceof LinkedHashMap<?, ?>)) {
            throw in.malformed("BUILD at byte " + at + " sets the state of " + describe(target)
                    + ", which nanolens does not do");
        }
    }

    private void persistent(Object id) {
        if (loader == null) {
            throw in.error("persistent id at byte " + at + " in a pickle that should have none");
        }
        push(loader.load(id));
    }

    /** A value's kind with its article, for messages; never its contents, which may be huge or refer to itself. */
    static String describe(Object value) {
        return switch (value) {
            case null -> "None";
            case String _ -> "a string";
            case Long _ -> "an integer";
            case BigInteger _ -> "an integer";
            case Double _ -> "a float";
            case Boolean _ -> "a bool";
            case ArrayList<?> _ -> "a list";
            case Map<?, ?> _ -> "a dict";
            case PickleTuple _ -> "a tuple";
            case PickleBytes _ -> "bytes";
            case PickleGlobal g -> "the global " + g.qualifiedName();
            case PickledObject o -> "a " + o.type().qualifiedName() + " object";
            case PickledTensor _ -> "a tensor";
            default -> value.getClass().getSimpleName();
        };
    }
}
