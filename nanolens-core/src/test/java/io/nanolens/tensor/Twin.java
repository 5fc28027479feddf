package io.nanolens.tensor;

/** The two sides of every kernel pair: the scalar reference in {@link Kernels} and its Vector API twin. */
enum Twin {
    SCALAR, VECTOR;

    /** The scalar or the vector implementation of one kernel, given as two method references. */
    <T> T pick(T scalar, T vector) {
        return this == SCALAR ? scalar : vector;
    }
}
