package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import io.nanolens.io.SafeTensors;
import io.nanolens.io.TensorInfo;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The rows of an activation directory's shards, each shard front to back, the shards in a given order. One shard is
 * mapped at a time and rows are copied straight from the mapping into the caller's buffer, so the heap holds
 * nothing of a shard. Shuffling is left to a {@link ShuffleBuffer} on top (see {@link ActivationShards#open}).
 */
final class ShardStream implements ActivationStream {
    private final Path dir;
    private final ActivationManifest manifest;
    private final int[] order;     // indices into manifest.shards()
    private int next;              // position in order of the shard to open next
    private SafeTensors current;
    private long currentRows;
    private long currentAt;

    ShardStream(Path dir, ActivationManifest manifest, int[] order) {
        this.dir = dir;
        this.manifest = manifest;
        this.order = order.clone();
    }

    /**
     * Opens shard {@code index} of the manifest and checks that it holds the hook's tensor with the listed rows,
     * the manifest's width and dtype.
     *
     * @throws NanolensException naming the shard and the mismatch
     */
    static SafeTensors openShard(Path dir, ActivationManifest manifest, int index) {
        ActivationManifest.Shard shard = manifest.shards().get(index);
        Path file = dir.resolve(shard.file());
        SafeTensors tensors = SafeTensors.open(file);
        try {
            if (!tensors.contains(manifest.hookName())) {
                throw new NanolensException("activation shard " + file + " has no tensor '" + manifest.hookName()
                        + "' but holds " + tensors.names() + "; the directory is damaged, collect the activations "
                        + "again");
            }
            TensorInfo info = tensors.info(manifest.hookName());
            long[] expected = {shard.rows(), manifest.dIn()};
            if (info.dtype() != manifest.storedDtype() || !Arrays.equals(info.shape(), expected)) {
                throw new NanolensException("activation shard " + file + " holds " + info.dtype() + " "
                        + Arrays.toString(info.shape()) + " but the manifest says " + manifest.storedDtype() + " "
                        + Arrays.toString(expected) + "; the directory is damaged, collect the activations again");
            }
            return tensors;
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    @Override
    public int width() {
        return manifest.dIn();
    }

    @Override
    public int read(float[] dst, int fromRow, int maxRows) {
        Rows.checkRead(dst, fromRow, maxRows, width());
        while (current == null || currentAt == currentRows) {
            if (next == order.length) {
                close();
                return 0;
            }
            close();
            int index = order[next++];
            current = openShard(dir, manifest, index);
            currentRows = manifest.shards().get(index).rows();
            currentAt = 0;
        }
        int n = (int) Math.min(maxRows, currentRows - currentAt);
        current.readRows(manifest.hookName(), currentAt, currentAt + n, dst, fromRow * width());
        currentAt += n;
        return n;
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
