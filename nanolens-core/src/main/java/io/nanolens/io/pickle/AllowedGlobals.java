package io.nanolens.io.pickle;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The only Python globals {@link Unpickler} accepts, and what each may do. A pickle names globals to call them;
 * here none is ever called: each allowed name maps to a small piece of Java that builds plain data from the
 * arguments, and every other name is refused the moment it is read, before any argument is looked at.
 * <ul>
 *   <li>{@code torch._utils._rebuild_tensor_v2}: REDUCE → {@link PickledTensor} (a view description)</li>
 *   <li>{@code torch.FloatStorage}, {@code torch.BFloat16Storage}, {@code torch.HalfStorage}: names inside a
 *       storage's persistent id only</li>
 *   <li>{@code collections.OrderedDict}: REDUCE with no arguments → an empty map; BUILD on it (a state dict's
 *       {@code _metadata}) is accepted and dropped</li>
 *   <li>{@code tiktoken.core.Encoding}: NEWOBJ with no arguments → {@link PickledObject}, BUILD records its
 *       state</li>
 *   <li>{@code _codecs.encode(text, "latin1")} and {@code builtins.bytes()}: how pickle protocol 2 spells a bytes
 *       value; they give {@link PickleBytes}</li>
 * </ul>
 */
final class AllowedGlobals {
    static final PickleGlobal REBUILD_TENSOR = new PickleGlobal("torch._utils", "_rebuild_tensor_v2");
    static final PickleGlobal ORDERED_DICT = new PickleGlobal("collections", "OrderedDict");
    static final PickleGlobal ENCODING = new PickleGlobal("tiktoken.core", "Encoding");
    private static final PickleGlobal CODECS_ENCODE = new PickleGlobal("_codecs", "encode");
    private static final PickleGlobal BYTES = new PickleGlobal("builtins", "bytes");
    private static final Set<PickleGlobal> STORAGES = Set.of(new PickleGlobal("torch", "FloatStorage"),
            new PickleGlobal("torch", "BFloat16Storage"), new PickleGlobal("torch", "HalfStorage"));
    private static final Set<PickleGlobal> ALLOWED = Set.of(REBUILD_TENSOR, ORDERED_DICT, ENCODING, CODECS_ENCODE,
            BYTES);
    private static final String WHAT_IS_ALLOWED = "nanolens allows only torch's tensor rebuild, float32/bfloat16/"
            + "float16 storages, collections.OrderedDict and tiktoken.core.Encoding, and never runs code from a file";

    private AllowedGlobals() {
    }

    /** The global {@code module.name} if it is allowed; otherwise a one-line refusal naming it. */
    static PickleGlobal resolve(String module, String name, PickleInput in, int at) {
        PickleGlobal global = new PickleGlobal(module, name);
        if (ALLOWED.contains(global) || STORAGES.contains(global)) {
            return global;
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw in.error("tensor storage " + global.qualifiedName() + " (byte " + at + ") is of a type nanolens "
                    + "cannot read; it reads float32, bfloat16 and float16 tensors only");
        }
        throw in.error("global " + global.qualifiedName() + " (byte " + at + ") is not allowed: " + WHAT_IS_ALLOWED);
    }

    /** Whether {@code g} is one of the storage-type names a persistent id carries. */
    static boolean isStorage(PickleGlobal g) {
        return STORAGES.contains(g);
    }

    /** REDUCE: what calling {@code callable(*args)} would give, for the callables that may be called. */
    static Object reduce(PickleGlobal callable, PickleTuple args, PickleInput in, int at) {
        if (callable.equals(REBUILD_TENSOR)) {
            return rebuildTensor(args, in, at);
        }
        if (callable.equals(ORDERED_DICT) && args.size() == 0) {
            return new LinkedHashMap<Object, Object>();
        }
        if (callable.equals(CODECS_ENCODE) && args.size() == 2 && args.get(0) instanceof String text
                && "latin1".equals(args.get(1))) {
            return latin1(text, in, at);
        }
        if (callable.equals(BYTES) && args.size() == 0) {
            return new PickleBytes(new byte[0]);
        }
        throw in.error("REDUCE at byte " + at + " calls " + callable.qualifiedName() + " with " + args.size()
                + " arguments, which nanolens does not do: " + WHAT_IS_ALLOWED);
    }

    /** NEWOBJ: a record of the object {@code cls.__new__(cls)} would make, for the classes that may be made. */
    static PickledObject newObject(PickleGlobal cls, PickleTuple args, PickleInput in, int at) {
        if (cls.equals(ENCODING) && args.size() == 0) {
            return new PickledObject(cls);
        }
        throw in.error("NEWOBJ at byte " + at + " creates " + cls.qualifiedName() + " with " + args.size()
                + " arguments, which nanolens does not do: " + WHAT_IS_ALLOWED);
    }

    /** (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) → a view description. */
    private static PickledTensor rebuildTensor(PickleTuple args, PickleInput in, int at) {
        if ((args.size() != 6 && args.size() != 7) || !(args.get(1) instanceof Long offset)
                || !(args.get(2) instanceof PickleTuple size) || !(args.get(3) instanceof PickleTuple stride)
                || size.size() != stride.size()) {
            throw in.error("the tensor rebuilt at byte " + at + " does not have torch's (storage, offset, size, "
                    + "stride, requires_grad, hooks) arguments");
        }
        return new PickledTensor(args.get(0), offset, longs(size.items(), in, at), longs(stride.items(), in, at));
    }

    private static long[] longs(List<Object> values, PickleInput in, int at) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Long v)) {
                throw in.error("the tensor rebuilt at byte " + at + " has a size or stride that is not an integer");
            }
            out[i] = v;
        }
        return out;
    }

    /** Python 3 pickles bytes under protocol 2 as the latin-1 text of their values; this undoes it. */
    private static PickleBytes latin1(String text, PickleInput in, int at) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                throw in.error("_codecs.encode at byte " + at + " has a character beyond latin-1");
            }
        }
        return new PickleBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
