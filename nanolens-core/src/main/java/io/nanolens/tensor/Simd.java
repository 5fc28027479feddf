package io.nanolens.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The switch between the Vector API kernels and their scalar twins ({@code -Dnanolens.vector=false} forces the
 * scalar path everywhere), and the vector species the fast kernels use.
 */
public final class Simd {
    /** The widest float vector this CPU runs natively (8 lanes on AVX2). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("nanolens.vector", "true"));

    private Simd() {
    }

    public static boolean enabled() {
        return ENABLED;
    }

    public static int vectorBits() {
        return F.vectorBitSize();
    }
}
