package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import io.nanolens.io.Dtype;
import io.nanolens.io.SafeTensors;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Activations collected once to disk and read back as often as needed: the on-disk form of the activation stage,
 * so that a sweep of SAEs, or a resumed run, does not pay for the model's forward passes again. A directory holds
 * {@code shard_00000.safetensors}, {@code shard_00001.safetensors}, … each with one tensor named after the hook
 * ([rows, d_in], F32 or BF16, in harvest order), and the {@link ActivationManifest} written last. Reading back
 * shuffles twice: the shard order is a seeded permutation, and the rows pass through a {@link ShuffleBuffer} of a
 * bounded window, so memory is the window plus one mapped shard whatever the directory's size. Every write is atomic
 * (SAELens keeps the same data as Hugging Face arrow shards, FORMATS.md §2.1; safetensors is what SAELens#83 asked
 * for and what any language reads).
 */
public final class ActivationShards {
    /** Shards of 64 MiB as float32: one shard is held in memory while it is written. */
    public static final long DEFAULT_SHARD_BYTES = 1L << 26;
    /** A window of 2^16 rows mixes well across shards (about 4096 tokens × 16 batches, as SAELens's buffer). */
    public static final int DEFAULT_WINDOW_ROWS = 1 << 16;

    private ActivationShards() {
    }

    /** Rows per shard for rows of {@code width} floats so that a shard holds about {@link #DEFAULT_SHARD_BYTES}. */
    public static int defaultShardRows(int width) {
        return (int) Math.max(1, DEFAULT_SHARD_BYTES / (4L * width));
    }

    /**
     * Reads {@code rows} to its end into {@code dir} as shards of {@code shardRows} rows stored as {@code dtype}
     * (F32 or BF16), measures the normalisation factor over all of them (as given, before any bfloat16 rounding)
     * and writes the manifest last. An old manifest in {@code dir} is deleted first, so an interrupted write never
     * leaves a manifest over mixed shards. The stream is left open (a finished harvest has closed its corpus).
     *
     * @throws NanolensException if the dtype is neither F32 nor BF16, the shard size is out of range, the stream
     *                           holds no rows, or a file cannot be written
     */
    public static ActivationManifest write(ActivationStream rows, ActivationManifest.Origin origin, Path dir,
                                           Dtype dtype, int shardRows) {
        int width = rows.width();
        ActivationManifest.dtypeName(dtype); // refuses any other dtype before a file is touched
        if (shardRows < 1 || (long) shardRows * width > Integer.MAX_VALUE - 8) {
            throw new NanolensException("shards of " + shardRows + " rows × " + width + " values: use between 1 and "
                    + (Integer.MAX_VALUE - 8) / width + " rows per shard");
        }
        deleteIfExists(dir.resolve(ActivationManifest.FILE_NAME));
        float[] buffer = new float[shardRows * width];
        ActivationScaler scaler = new ActivationScaler(width);
        List<ActivationManifest.Shard> shards = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("hook_name", origin.hookName());
        metadata.put("model_name", origin.modelName());
        long total = 0;
        for (int n; (n = rows.readFully(buffer, 0, shardRows)) > 0; ) {
            scaler.add(buffer, 0, n);
            float[] values = n == shardRows ? buffer : Arrays.copyOf(buffer, n * width);
            String name = shardName(shards.size());
            SafeTensors.write(dir.resolve(name), Map.of(origin.hookName(), Tensor.of(values, n, width)), metadata,
                    dtype);
            shards.add(new ActivationManifest.Shard(name, n));
            total += n;
        }
        if (total == 0) {
            throw new NanolensException("no activations to write to " + dir + ": corpus " + origin.corpus()
                    + " holds less than one context of " + origin.contextSize() + " tokens; use a larger corpus "
                    + "or a smaller context size");
        }
        ActivationManifest manifest = ActivationManifest.of(origin, width, dtype, total, scaler.scalingFactor(),
                shards);
        manifest.write(dir);
        deleteStaleShards(dir, shards.size());
        return manifest;
    }

    /**
     * Every row of the directory once, in shuffled order: shards in a seeded random order, rows mixed through a
     * {@link ShuffleBuffer} of {@code windowRows}; the same seed gives the same order. Every shard is checked
     * against the manifest before the first row is read.
     *
     * @throws NanolensException if the manifest or a shard is missing, truncated or does not match
     */
    public static ActivationStream open(Path dir, int windowRows, long seed) {
        ActivationManifest manifest = verify(dir);
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = permutation(manifest.shards().size(), random);
        return new ShuffleBuffer(new ShardStream(dir, manifest, order), windowRows, random.nextLong());
    }

    /**
     * Every row of the directory once, in harvest order (for inspection and tests).
     *
     * @throws NanolensException if the manifest or a shard is missing, truncated or does not match
     */
    public static ActivationStream openInOrder(Path dir) {
        ActivationManifest manifest = verify(dir);
        int[] order = new int[manifest.shards().size()];
        Arrays.setAll(order, i -> i);
        return new ShardStream(dir, manifest, order);
    }

    /**
     * Reads the manifest and checks every shard's header against it (dtype, shape, tensor name, file length).
     *
     * @throws NanolensException naming the first fault found
     */
    public static ActivationManifest verify(Path dir) {
        ActivationManifest manifest = ActivationManifest.read(dir);
        for (int i = 0; i < manifest.shards().size(); i++) {
            ShardStream.openShard(dir, manifest, i).close();
        }
        return manifest;
    }

    /** The file name of shard {@code index}: {@code shard_00000.safetensors} and on. */
    public static String shardName(int index) {
        return String.format(Locale.ROOT, "shard_%05d.safetensors", index);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Removes shard files numbered from {@code count} on, left by an earlier, longer collection. */
    private static void deleteStaleShards(Path dir, int count) {
        for (int i = count; Files.exists(dir.resolve(shardName(i))); i++) {
            deleteIfExists(dir.resolve(shardName(i)));
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NanolensException("cannot delete " + file + ": " + e + "; check the directory's permissions",
                    e);
        }
    }
}
