package io.nanolens.io;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the F16 conversions against the JDK's own ({@link Float#float16ToFloat}, {@link Float#floatToFloat16}) and
 * the BF16 ones against an independent decoder (sign · mantissa · 2^exponent) and a nearest-value search.
 */
class HalfPrecisionTest {

    @Test
    void f16ToFloatMatchesJdkForEveryBitPattern() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            float actual = HalfPrecision.f16ToFloat((short) bits);
            assertSameFloat(expected, actual, "f16 bits 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void floatToF16MatchesJdkOnEdgesMidpointsAndRandomFloats() {
        for (float x : f16Probes()) {
            short expected = Float.floatToFloat16(x);
            short actual = HalfPrecision.floatToF16(x);
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(Float.float16ToFloat(actual)), "NaN must stay NaN: " + hex(x));
            } else {
                assertEquals(expected, actual, "float " + x + " (" + hex(x) + ")");
            }
        }
    }

    @Test
    void f16RoundTripKeepsEveryNonNaNValue() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float value = Float.float16ToFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertEquals((short) bits, HalfPrecision.floatToF16(value), "bits 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void bf16ToFloatMatchesSignMantissaExponentDecoding() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float actual = HalfPrecision.bf16ToFloat((short) bits);
            assertSameFloat(bf16Value(bits), actual, "bf16 bits 0x" + Integer.toHexString(bits));
        }
    }

    @Test
    void floatToBf16RoundsToTheNearestValueWithTiesToEven() {
        SplittableRandom random = new SplittableRandom(7);
        List<Float> probes = new ArrayList<>(List.of(0f, -0f, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.MIN_VALUE, Float.MIN_NORMAL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY));
        for (int i = 0; i < 200_000; i++) {
            probes.add(Float.intBitsToFloat(random.nextInt()));
            int kept = random.nextInt() & 0xFFFF0000;
            probes.add(Float.intBitsToFloat(kept | 0x8000)); // an exact tie, kept part odd or even at random
            probes.add(Float.intBitsToFloat(kept | 0x7FFF));
            probes.add(Float.intBitsToFloat(kept | 0x8001));
        }
        for (float x : probes) {
            short actual = HalfPrecision.floatToBf16(x);
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(bf16Value(actual & 0xFFFF)), "NaN must stay NaN");
            } else {
                assertEquals(bf16Nearest(x), actual & 0xFFFF, "float " + x + " (" + hex(x) + ")");
            }
        }
    }

    @Test
    void nanWithPayloadOnlyInDroppedBitsStaysNaN() {
        float lowPayloadNaN = Float.intBitsToFloat(0x7F800001);
        assertTrue(Float.isNaN(bf16Value(HalfPrecision.floatToBf16(lowPayloadNaN) & 0xFFFF)));
        assertTrue(Float.isNaN(Float.float16ToFloat(HalfPrecision.floatToF16(lowPayloadNaN))));
        assertTrue(Float.isNaN(Float.float16ToFloat(HalfPrecision.floatToF16(Float.intBitsToFloat(0xFF800001)))));
    }

    /** The bfloat16 value of {@code bits} from its fields, without reinterpreting float bits. */
    static float bf16Value(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        double magnitude;
        if (exponent == 0xFF) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = Math.scalb(mantissa / 128.0, -126);
        } else {
            magnitude = Math.scalb(1 + mantissa / 128.0, exponent - 127);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    /** The bfloat16 bits nearest to {@code x}, found by comparing the two candidates around it; ties go to even. */
    static int bf16Nearest(float x) {
        int below = Float.floatToRawIntBits(x) >>> 16; // same sign, magnitude truncated
        if (Float.isInfinite(x)) {
            return below;
        }
        int above = below + 1;
        double sign = Math.copySign(1.0, x);
        // Rounding past the largest finite value lands on infinity; for distances it stands at 2^128.
        double aboveValue = (above & 0x7FFF) == 0x7F80 ? sign * 0x1p128 : bf16Value(above);
        double belowDistance = Math.abs((double) x - bf16Value(below));
        double aboveDistance = Math.abs((double) x - aboveValue);
        if (belowDistance != aboveDistance) {
            return belowDistance < aboveDistance ? below : above;
        }
        return (below & 1) == 0 ? below : above;
    }

    private static List<Float> f16Probes() {
        List<Float> probes = new ArrayList<>(List.of(0f, -0f, 65504f, -65504f, 65519.996f, 65520f, -65520f, 65536f,
                0x1p-24f, 0x1p-25f, Math.nextUp(0x1p-25f), 3 * 0x1p-25f, 0x1p-14f, Math.nextDown(0x1p-14f),
                Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7FC00001), Float.intBitsToFloat(0xFFA00000)));
        for (int bits = 0; bits < 0x7C00; bits++) {
            double here = Float.float16ToFloat((short) bits);
            double next = Float.float16ToFloat((short) (bits + 1));
            float middle = (float) ((here + next) / 2); // exact: 11 significant bits fit a float
            for (float x : new float[] {middle, Math.nextUp(middle), Math.nextDown(middle)}) {
                probes.add(x);
                probes.add(-x);
            }
        }
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            probes.add(Float.intBitsToFloat(random.nextInt()));
            probes.add((float) ((random.nextDouble() * 2 - 1) * 70_000));
            probes.add((float) Math.scalb(random.nextDouble() * 2 - 1, -random.nextInt(10, 30)));
        }
        return probes;
    }

    private static String hex(float x) {
        return "bits 0x" + Integer.toHexString(Float.floatToRawIntBits(x));
    }

    private static void assertSameFloat(float expected, float actual, String what) {
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
        }
    }
}
