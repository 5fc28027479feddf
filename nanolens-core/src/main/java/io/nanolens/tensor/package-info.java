/**
 * Layer 1: float tensors and the kernels every later stage runs on — blocked, register-tiled matmul in the three
 * layouts training needs, norms, softmax, activations, row-wise top-k (alone or fused into a TopK SAE's encoder
 * product) and the sparse-row products of SAE training.
 * Callers go through {@code Matmul} and {@code Ops}; each fast kernel has a scalar twin in {@code Kernels} with the
 * same signature, and {@code -Dnanolens.vector=false} forces the scalar path everywhere. JDK only.
 */
package io.nanolens.tensor;
