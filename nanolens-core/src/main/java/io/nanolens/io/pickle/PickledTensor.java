package io.nanolens.io.pickle;

/**
 * What {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} describes: a view of a storage,
 * not yet read. The storage is whatever the caller's persistent-id loader returned for the file's storage record;
 * {@code io.nanolens.io.TorchCheckpoint} turns the view into a float32 tensor.
 *
 * @param storage the storage the view reads
 * @param offset  index of the first element in the storage
 * @param size    the shape, outermost first
 * @param stride  elements to step in the storage per step along each axis
 */
public record PickledTensor(Object storage, long offset, long[] size, long[] stride) {
}
