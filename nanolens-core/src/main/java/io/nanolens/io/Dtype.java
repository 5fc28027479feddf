package io.nanolens.io;

/**
 * The element types a safetensors header may name, with their width in bytes, spelled as in the file
 * ({@code "F32"}, {@code "BF16"}, ...). nanolens computes in float32: {@link #F32}, {@link #F16}, {@link #BF16} and
 * {@link #F64} load as floats, {@link #I32} and {@link #I64} as integers; the others can be listed but not loaded.
 * Sub-byte types (F4, F6_*) are not listed and are reported as unsupported. Follows
 * https://github.com/huggingface/safetensors ({@code Dtype} in {@code safetensors/src/tensor.rs}).
 */
public enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), F8_E8M0(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8), C64(8);

    private final int byteSize;

    Dtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link SafeTensors#load} can convert this type to float32. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** The type a header names, or null when nanolens does not know it. */
    static Dtype parse(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
