package io.nanolens.io;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An open safetensors file, memory-mapped: the format every weight file, SAE and activation shard of nanolens is
 * stored in, and the one SAELens and Hugging Face read. Opening validates the header ({@link SafeTensorsHeader});
 * tensors are then copied out on demand as float32 {@link Tensor}s (from F32, F16, BF16 or F64), whole or as a range
 * of rows, so a shard larger than the heap (or than 2 GB) can be streamed. {@link #write} saves float tensors
 * atomically in F32, BF16 or F16. Closing releases the mapping; the object is safe to read from several threads.
 * Format: https://github.com/huggingface/safetensors.
 */
public final class SafeTensors implements AutoCloseable {

    /** Largest Java array: the VM reserves a few header words below Integer.MAX_VALUE. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Elements converted per step from F16/BF16/F64, small enough for the scratch array to stay in L2. */
    private static final int CHUNK = 1 << 14;

    // Unaligned layouts: a header of any length puts the data area, and every tensor in it, at any byte offset.
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(LE);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data; // the data area: the bytes after the header
    private final Map<String, TensorInfo> tensors; // in the order their data lies in the file
    private final Map<String, String> metadata;

    private SafeTensors(Path file, Arena arena, MemorySegment data, SafeTensorsHeader.Parsed header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.tensors = header.tensors();
        this.metadata = header.metadata();
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws NanolensException if the file is missing, unreadable or not a valid safetensors file
     */
    public static SafeTensors open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            SafeTensorsHeader.Parsed header = SafeTensorsHeader.parse(file, whole);
            return new SafeTensors(file, arena, whole.asSlice(8 + header.length()), header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new NanolensException("safetensors file " + file + " does not exist; check the path", e);
        } catch (IOException e) {
            arena.close();
            throw new NanolensException("cannot read safetensors file " + file + ": " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Writes float tensors as F32 in the map's iteration order; see {@link #write(Path, Map, Map, Dtype)}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        SafeTensorsWriter.write(file, tensors, metadata, Dtype.F32);
    }

    /**
     * Writes float tensors in {@code dtype} (F32, BF16 or F16; narrowing rounds to nearest even), in the map's
     * iteration order, with {@code metadata} as {@code __metadata__} (omitted when empty). The file is replaced
     * atomically and streamed, never held in memory as a whole.
     *
     * @throws IllegalArgumentException if {@code dtype} is not F32, BF16 or F16
     * @throws NanolensException        if a tensor is named {@code __metadata__} or the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
        SafeTensorsWriter.write(file, tensors, metadata, dtype);
    }

    /** The file this was opened from. */
    public Path file() {
        return file;
    }

    /** Tensor names in the order their data lies in the file. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** Name, dtype, shape and byte range of every tensor, in file order. */
    public List<TensorInfo> infos() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Name, dtype, shape and byte range of one tensor.
     *
     * @throws NanolensException if the file holds no tensor of that name
     */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            List<String> some = names().subList(0, Math.min(10, tensors.size()));
            throw new NanolensException("safetensors file " + file + " has no tensor '" + name + "'; it holds "
                    + tensors.size() + " tensors" + (some.isEmpty() ? "" : ", e.g. " + some));
        }
        return info;
    }

    /** The {@code __metadata__} map (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Loads a whole tensor as float32.
     *
     * @throws NanolensException if the tensor is missing, not a float type, or too large for one Java array
     */
    public Tensor load(String name) {
        TensorInfo t = floatInfo(name);
        float[] values = new float[checkedLength(t, t.numel())];
        readFloats(t, 0, values, 0, values.length);
        return new Tensor(values, intShape(t, t.rank() == 0 ? 1 : t.dim(0)));
    }

    /** Loads every tensor as float32, in file order; see {@link #load}. */
    public Map<String, Tensor> loadAll() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            all.put(name, load(name));
        }
        return all;
    }

    /**
     * Loads rows {@code [fromRow, toRow)} of a tensor (along its first axis) as float32, reading only those bytes.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, dim(0)]}
     * @throws NanolensException         if the tensor is missing, a scalar, not a float type, or the rows are too
     *                                   many for one Java array
     */
    public Tensor loadRows(String name, long fromRow, long toRow) {
        TensorInfo t = floatInfo(name);
        long rowLength = rowLength(t);
        Objects.checkFromToIndex(fromRow, toRow, t.dim(0));
        long count = (toRow - fromRow) * rowLength; // cannot overflow: bounded by numel, checked at open
        float[] values = new float[checkedLength(t, count)];
        readFloats(t, fromRow * rowLength, values, 0, values.length);
        return new Tensor(values, intShape(t, toRow - fromRow));
    }

    /**
     * Copies rows {@code [fromRow, toRow)} of a tensor as float32 into {@code dst} from {@code dstOffset}; the form
     * of {@link #loadRows} for a caller that reuses one buffer (only a small conversion scratch is allocated).
     *
     * @throws IndexOutOfBoundsException if the rows are out of range or do not fit into {@code dst}
     */
    public void readRows(String name, long fromRow, long toRow, float[] dst, int dstOffset) {
        TensorInfo t = floatInfo(name);
        long rowLength = rowLength(t);
        Objects.checkFromToIndex(fromRow, toRow, t.dim(0));
        long count = (toRow - fromRow) * rowLength; // cannot overflow: bounded by numel, checked at open
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        readFloats(t, fromRow * rowLength, dst, dstOffset, (int) count);
    }

    /**
     * Loads an I32 tensor's values in row-major order.
     *
     * @throws NanolensException if the tensor is missing, not I32, or too large for one Java array
     */
    public int[] loadInts(String name) {
        TensorInfo t = integerInfo(name, Dtype.I32);
        int[] values = new int[checkedLength(t, t.numel())];
        MemorySegment.copy(data, I32_LE, t.begin(), values, 0, values.length);
        return values;
    }

    /**
     * Loads an I64 or I32 tensor's values in row-major order as longs.
     *
     * @throws NanolensException if the tensor is missing, not I64 or I32, or too large for one Java array
     */
    public long[] loadLongs(String name) {
        TensorInfo t = integerInfo(name, Dtype.I64);
        long[] values = new long[checkedLength(t, t.numel())];
        if (t.dtype() == Dtype.I64) {
            MemorySegment.copy(data, I64_LE, t.begin(), values, 0, values.length);
        } else {
            for (int i = 0; i < values.length; i++) {
                values[i] = data.get(I32_LE, t.begin() + 4L * i);
            }
        }
        return values;
    }

    /** Releases the mapping; tensors loaded earlier stay valid, reads afterwards fail. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafeTensors[" + file + ", " + tensors.size() + " tensors]";
    }

    private TensorInfo floatInfo(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isFloat()) {
            throw new NanolensException("tensor '" + name + "' in " + file + " has dtype " + t.dtype()
                    + ", which nanolens cannot load as float32 (it reads F32, F16, BF16 and F64)");
        }
        return t;
    }

    private TensorInfo integerInfo(String name, Dtype widest) {
        TensorInfo t = info(name);
        if (t.dtype() != Dtype.I32 && t.dtype() != widest) {
            throw new NanolensException("tensor '" + name + "' in " + file + " has dtype " + t.dtype()
                    + ", not " + (widest == Dtype.I32 ? "I32" : widest + " or I32") + " as this read expects");
        }
        return t;
    }

    private long rowLength(TensorInfo t) {
        if (t.rank() == 0) {
            throw new NanolensException("tensor '" + t.name() + "' in " + file + " is a scalar; load it whole");
        }
        long rowLength = 1;
        for (int axis = 1; axis < t.rank(); axis++) {
            rowLength *= t.dim(axis); // cannot overflow: bounded by numel, checked at open
        }
        return rowLength;
    }

    private int checkedLength(TensorInfo t, long count) {
        if (count > MAX_ARRAY) {
            throw new NanolensException("tensor '" + t.name() + "' in " + file + " has " + t.numel()
                    + " values; reading " + count + " at once exceeds a Java array, read it in row ranges instead");
        }
        return (int) count;
    }

    /** The tensor's shape as ints, with the first axis replaced by {@code rows}. */
    private int[] intShape(TensorInfo t, long rows) {
        int[] shape = new int[t.rank()];
        for (int axis = 0; axis < shape.length; axis++) {
            long d = axis == 0 ? rows : t.dim(axis);
            if (d > Integer.MAX_VALUE) {
                throw new NanolensException("tensor '" + t.name() + "' in " + file + " has dimension " + d
                        + ", larger than a Tensor holds (2^31 - 1)");
            }
            shape[axis] = (int) d;
        }
        return shape;
    }

    private void readFloats(TensorInfo t, long firstElement, float[] dst, int dstOffset, int count) {
        long at = t.begin() + firstElement * t.dtype().byteSize();
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(data, F32_LE, at, dst, dstOffset, count);
            case F16, BF16 -> readHalves(t.dtype(), at, dst, dstOffset, count);
            case F64 -> readDoubles(at, dst, dstOffset, count);
            default -> throw new IllegalStateException("not a float dtype: " + t.dtype());
        }
    }

    private void readHalves(Dtype dtype, long at, float[] dst, int dstOffset, int count) {
        short[] chunk = new short[Math.min(count, CHUNK)];
        for (int done = 0; done < count; done += chunk.length) {
            int n = Math.min(chunk.length, count - done);
            MemorySegment.copy(data, I16_LE, at + 2L * done, chunk, 0, n);
            if (dtype == Dtype.F16) {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + done + i] = HalfPrecision.f16ToFloat(chunk[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + done + i] = HalfPrecision.bf16ToFloat(chunk[i]);
                }
            }
        }
    }

    private void readDoubles(long at, float[] dst, int dstOffset, int count) {
        double[] chunk = new double[Math.min(count, CHUNK)];
        for (int done = 0; done < count; done += chunk.length) {
            int n = Math.min(chunk.length, count - done);
            MemorySegment.copy(data, F64_LE, at + 8L * done, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                dst[dstOffset + done + i] = (float) chunk[i];
            }
        }
    }
}
