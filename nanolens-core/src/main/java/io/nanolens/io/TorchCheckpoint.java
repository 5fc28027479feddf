package io.nanolens.io;

import io.nanolens.NanolensException;
import io.nanolens.io.pickle.PickleGlobal;
import io.nanolens.io.pickle.PickleTuple;
import io.nanolens.io.pickle.PickledTensor;
import io.nanolens.io.pickle.Unpickler;
import io.nanolens.tensor.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a state dict saved by {@code torch.save} (a nanochat {@code model_XXXXXX.pt}) into float32 tensors: the
 * zip archive holds {@code <name>/data.pkl}, a pickle of an OrderedDict from names to tensors, and one entry
 * {@code <name>/data/<key>} per storage with its raw little-endian values. The pickle is read by the safe
 * {@link Unpickler}; each tensor names its storage through a persistent id
 * {@code ('storage', torch.FloatStorage | BFloat16Storage | HalfStorage, key, location, numel)} and a view (offset,
 * size, stride) of it. Contiguous views are copied directly; other strides are gathered element by element. Every
 * size, stride and offset is checked against the storage before a byte is read. Follows PyTorch's
 * {@code torch/serialization.py} ({@code _save}, {@code _load}).
 */
public final class TorchCheckpoint {
    /** data.pkl of a state dict is a few hundred bytes per tensor; anything this large is not one. */
    static final long MAX_PICKLE_BYTES = 64L << 20;
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final ZipFile zip;
    private final Path file;
    private final String prefix;   // "<name>/"

    private TorchCheckpoint(ZipFile zip, Path file, String prefix) {
        this.zip = zip;
        this.file = file;
        this.prefix = prefix;
    }

    /** One storage record: its element type, its entry key and its length in elements. */
    private record Storage(Dtype dtype, String key, long numel) {
    }

    /**
     * The tensors of the state dict in {@code file}, by name in the file's order, converted to float32.
     *
     * @throws NanolensException if the file is missing, not a torch zip archive, holds something other than a
     *                           dict of float32/bfloat16/float16 tensors, or a view reaches outside its storage
     */
    public static Map<String, Tensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NanolensException("checkpoint " + file + " does not exist; give the path of a .pt file "
                    + "written by torch.save");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new TorchCheckpoint(zip, file, archivePrefix(zip, file)).stateDict();
        } catch (ZipException e) {
            throw notZip(file);
        } catch (IOException e) {
            throw new NanolensException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Tensor> stateDict() throws IOException {
        checkByteOrder();
        ZipEntry pickle = zip.getEntry(prefix + "data.pkl");
        byte[] bytes = readRange(pickle, 0, checkedSize(pickle, MAX_PICKLE_BYTES));
        Object root = Unpickler.load(bytes, file + " (" + pickle.getName() + ")", this::storage);
        if (!(root instanceof Map<?, ?> dict)) {
            throw new NanolensException(file + " holds a pickled " + kind(root) + ", not a state dict; save the "
                    + "model's state_dict() with torch.save");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof PickledTensor view)) {
                throw new NanolensException(file + ": state-dict entry " + e.getKey() + " holds a "
                        + kind(e.getValue()) + ", not a tensor; nanolens reads state dicts of tensors only");
            }
            tensors.put(name, tensor(name, view));
        }
        return Collections.unmodifiableMap(tensors);
    }

    /** The persistent-id loader: ('storage', type, key, location, numel) → a checked Storage. */
    private Storage storage(Object id) {
        if (!(id instanceof PickleTuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof PickleGlobal type) || !(t.get(2) instanceof String key)
                || !(t.get(4) instanceof Long numel) || numel < 0 || !STORAGE_KEY.matcher(key).matches()) {
            throw new NanolensException(file + ": a persistent id in data.pkl is not torch's ('storage', type, key, "
                    + "location, numel) record; the file is damaged or not a torch.save archive");
        }
        Dtype dtype = switch (type.name()) {
            case "FloatStorage" -> Dtype.F32;
            case "BFloat16Storage" -> Dtype.BF16;
            case "HalfStorage" -> Dtype.F16;
            default -> throw new NanolensException(file + ": a storage record names " + type.qualifiedName()
                    + " as its type; the file is damaged or not a torch.save archive");
        };
        ZipEntry entry = zip.getEntry(prefix + "data/" + key);
        if (entry == null) {
            throw new NanolensException(file + " has no entry " + prefix + "data/" + key + " for a storage its "
                    + "data.pkl names; the archive is incomplete, copy it again");
        }
        long bytes = numel * dtype.byteSize();
        if (numel > Long.MAX_VALUE / dtype.byteSize() || entry.getSize() != bytes) {
            throw new NanolensException(file + ": storage " + entry.getName() + " holds " + entry.getSize()
                    + " bytes but data.pkl says " + numel + " " + dtype + " values; the archive is damaged");
        }
        return new Storage(dtype, key, numel);
    }

    /** The float32 values of one view, after checking it lies inside its storage. */
    private Tensor tensor(String name, PickledTensor view) throws IOException {
        if (!(view.storage() instanceof Storage storage)) {
            throw new NanolensException(file + ": tensor '" + name + "' has no storage record; the file is damaged");
        }
        long[] size = view.size();
        long[] stride = view.stride();
        int[] shape = new int[size.length];
        long count = 1;
        long last = view.offset();   // the highest storage index the view reads
        try {
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || size[i] > MAX_ARRAY || stride[i] < 0) {
                    throw outside(name, storage, view);
                }
                shape[i] = (int) size[i];
                count = Math.multiplyExact(count, size[i]);
                last = Math.addExact(last, Math.multiplyExact(Math.max(0, size[i] - 1), stride[i]));
            }
        } catch (ArithmeticException e) {
            throw outside(name, storage, view);
        }
        if (count > MAX_ARRAY) {
            throw new NanolensException(file + ": tensor '" + name + "' of shape " + Arrays.toString(size)
                    + " has more than 2^31 values, more than nanolens holds in one tensor");
        }
        if (count == 0) {
            return Tensor.of(new float[0], shape);
        }
        if (view.offset() < 0 || last >= storage.numel()) {
            throw outside(name, storage, view);
        }
        long span = last - view.offset() + 1;
        if (span * storage.dtype().byteSize() > MAX_ARRAY) {
            throw new NanolensException(file + ": tensor '" + name + "' spans " + span + " values of its storage, "
                    + "too many to read at once; save it contiguous (tensor.contiguous()) and try again");
        }
        ZipEntry entry = zip.getEntry(prefix + "data/" + storage.key());
        byte[] raw = readRange(entry, view.offset() * storage.dtype().byteSize(),
                (int) (span * storage.dtype().byteSize()));
        float[] values = decode(raw, storage.dtype(), (int) span);
        return Tensor.of(contiguous(size, stride) ? trim(values, (int) count) : gather(values, size, stride,
                (int) count), shape);
    }

    private NanolensException outside(String name, Storage storage, PickledTensor view) {
        return new NanolensException(file + ": tensor '" + name + "' (offset " + view.offset() + ", size "
                + Arrays.toString(view.size()) + ", stride " + Arrays.toString(view.stride()) + ") reaches outside "
                + "its storage of " + storage.numel() + " values; the file is damaged");
    }

    /** Whether the strides are the row-major ones of the shape (axes of length 1 may have any stride). */
    static boolean contiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    private static float[] trim(float[] values, int count) {
        return values.length == count ? values : Arrays.copyOf(values, count);
    }

    /** Row-major copy of a strided view: out[i] = values[Σ index_k · stride_k] over the indices in order. */
    static float[] gather(float[] values, long[] size, long[] stride, int count) {
        float[] out = new float[count];
        int rank = size.length;
        long[] index = new long[rank];
        long source = 0;
        for (int i = 0; i < count; i++) {
            out[i] = values[(int) source];
            for (int axis = rank - 1; axis >= 0; axis--) {
                if (++index[axis] < size[axis]) {
                    source += stride[axis];
                    break;
                }
                source -= (size[axis] - 1) * stride[axis];
                index[axis] = 0;
            }
        }
        return out;
    }

    /** Little-endian values of {@code dtype} widened to float32. */
    private static float[] decode(byte[] raw, Dtype dtype, int count) {
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (dtype) {
            case F32 -> buffer.asFloatBuffer().get(out);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = HalfPrecision.bf16ToFloat(buffer.getShort(2 * i));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = HalfPrecision.f16ToFloat(buffer.getShort(2 * i));
                }
            }
            default -> throw new IllegalStateException("storages are float32, bfloat16 or float16");
        }
        return out;
    }

    /** The "name/" all entries share: the folder that holds data.pkl. */
    private static String archivePrefix(ZipFile zip, Path file) {
        List<String> folders = new ArrayList<>();
        zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9)
                .forEach(n -> folders.add(n.substring(0, n.length() - 8)));
        if (folders.size() != 1) {
            throw new NanolensException(file + " is a zip archive with " + folders.size() + " <name>/data.pkl entries "
                    + "instead of one; it is not a checkpoint written by torch.save");
        }
        return folders.getFirst();
    }

    /** torch 2 writes "byteorder"; older versions wrote only little-endian files and no such entry. */
    private void checkByteOrder() throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry != null) {
            String order = new String(readRange(entry, 0, checkedSize(entry, 16)), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw new NanolensException(file + " was saved on a " + order + "-endian machine; nanolens reads "
                        + "little-endian checkpoints (load and save it again on a little-endian machine)");
            }
        }
    }

    private int checkedSize(ZipEntry entry, long limit) {
        long size = entry.getSize();
        if (size < 0 || size > limit) {
            throw new NanolensException(file + ": entry " + entry.getName() + " is " + size + " bytes, more than "
                    + "the " + limit + " it can be in a torch checkpoint");
        }
        return (int) size;
    }

    private byte[] readRange(ZipEntry entry, long skip, int length) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            in.skipNBytes(skip);
            byte[] out = in.readNBytes(length);
            if (out.length != length) {
                throw new NanolensException(file + ": entry " + entry.getName() + " ends early; the archive is "
                        + "damaged, copy it again");
            }
            return out;
        } catch (EOFException e) {
            throw new NanolensException(file + ": entry " + entry.getName() + " ends early; the archive is damaged, "
                    + "copy it again", e);
        }
    }

    private static NanolensException notZip(Path file) {
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        } catch (IOException e) {
            return new NanolensException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (head.length == 2 && (head[0] & 0xFF) == 0x80) {
            return new NanolensException(file + " uses torch's legacy (pre-1.6) format, which nanolens does not "
                    + "read; load it in Python and save it again with a recent torch.save");
        }
        return new NanolensException(file + " is not a zip archive, so not a checkpoint written by torch.save");
    }

    private static String kind(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }
}
