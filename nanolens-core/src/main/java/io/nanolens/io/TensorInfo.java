package io.nanolens.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header: a tensor's name, element type, shape and where its bytes lie, as validated
 * when the file was opened (so {@code end - begin == numel · dtype.byteSize()} always holds).
 *
 * @param name  the tensor's name in the file, e.g. {@code "W_enc"}
 * @param dtype element type
 * @param shape dimensions, outermost first; empty for a scalar
 * @param begin first byte, relative to the start of the data area (the byte after the header)
 * @param end   one past the last byte, relative to the data area
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Length of dimension {@code axis}. */
    public long dim(int axis) {
        return shape[axis];
    }

    /** Bytes the tensor occupies. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape) + Long.hashCode(begin);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
