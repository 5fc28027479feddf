package io.nanolens.io;

/**
 * Conversions between float32 and the two 16-bit float formats checkpoints use: IEEE 754 binary16 ({@code F16}:
 * 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 ({@code BF16}: the upper half of a float32, 8 exponent and 7
 * mantissa bits). Widening is exact; narrowing rounds to nearest, ties to even, as PyTorch's {@code .half()} and
 * {@code .bfloat16()} do. Used when safetensors files are read into and written from float32 tensors.
 */
public final class HalfPrecision {

    /** binary16 exponent bias is 15, binary32's is 127. */
    private static final int EXPONENT_BIAS_DELTA = 127 - 15;

    /** Bits dropped from a float32 mantissa (23 bits) to get a binary16 one (10 bits). */
    private static final int F16_MANTISSA_SHIFT = 23 - 10;

    /** The smallest positive normal binary16, 2^-14, as float32 bits. */
    private static final int F16_MIN_NORMAL_BITS = 0x38800000;

    /** Float32 bits of 65520, halfway between binary16's largest finite value 65504 and 2^16; ties go to infinity. */
    private static final int F16_OVERFLOW_BITS = 0x477FF000;

    private HalfPrecision() {
    }

    /** The float32 value of binary16 bits (exact). */
    public static float f16ToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << F16_MANTISSA_SHIFT));
        }
        if (exponent == 0) {
            // Subnormal (or zero): mantissa · 2^-24, exactly representable in float32.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + EXPONENT_BIAS_DELTA) << 23) | (mantissa << F16_MANTISSA_SHIFT));
    }

    /** The binary16 bits nearest to {@code value} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFFFFFF;
        if (magnitude > 0x7F800000) {
            // Quiet bit set so that a NaN whose payload sits in the dropped bits does not become infinity.
            return (short) (sign | 0x7E00 | ((magnitude >>> F16_MANTISSA_SHIFT) & 0x3FF));
        }
        if (magnitude >= F16_OVERFLOW_BITS) {
            return (short) (sign | 0x7C00);
        }
        if (magnitude < F16_MIN_NORMAL_BITS) {
            // Subnormal result: count units of 2^-24; scaling by 2^24 is exact and rint rounds ties to even.
            return (short) (sign | (int) Math.rint(Math.abs(value) * 0x1p24f));
        }
        int rebiased = magnitude - (EXPONENT_BIAS_DELTA << 23);
        int half = rebiased >>> F16_MANTISSA_SHIFT;
        int dropped = rebiased & ((1 << F16_MANTISSA_SHIFT) - 1);
        int halfway = 1 << (F16_MANTISSA_SHIFT - 1);
        if (dropped > halfway || (dropped == halfway && (half & 1) == 1)) {
            half++; // a carry out of the mantissa correctly bumps the exponent
        }
        return (short) (sign | half);
    }

    /** The float32 value of bfloat16 bits (exact: bfloat16 is the upper half of a float32). */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }

    /** The bfloat16 bits nearest to {@code value} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding just under half a unit of the kept part, plus its lowest bit, rounds half to even in one step.
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
