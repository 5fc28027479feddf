/**
 * Layer 1: float tensors and the kernels every later stage runs on — blocked, register-tiled matmul in the three
 * layouts training needs, norms, softmax, activations, row-wise top-k and the sparse-row products of SAE training.
 * Each fast kernel ({@code VectorKernels}, {@code Matmul}) has a scalar twin in {@code Kernels} with the same
 * signature; {@code -Dnanolens.vector=false} forces the scalar path everywhere. JDK only.
 */
package io.nanolens.tensor;
