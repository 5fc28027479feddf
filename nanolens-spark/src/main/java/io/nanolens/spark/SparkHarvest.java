package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.io.Dtype;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.store.ActivationHarvester;
import io.nanolens.sae.store.ActivationManifest;
import io.nanolens.sae.store.ActivationScaler;
import io.nanolens.sae.store.ActivationShards;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.store.HarvestConfig;
import io.nanolens.text.Corpus;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code collect} as a Spark job (corpus → tokens → activations, over many executors): a planning job counts each
 * partition's tokens ({@link StreamPlan}), then every partition harvests its passes with the core's
 * {@link ActivationHarvester} started inside its first document, writes its rows as shards
 * {@code part-PPPPP-shard-SSSSS.safetensors} (the local store's format, each through the core's shard writer) to
 * the output directory on any Hadoop filesystem, and returns its rows and norm sum; the driver writes the
 * {@link ActivationManifest} last, listing the shards in partition order. The rows, in manifest order, are exactly
 * those of a local {@code collect} of the same corpus, whatever the number of partitions; only the normalisation
 * factor may differ in its last bits (its double sum is added in another order).
 */
final class SparkHarvest {
    private static final String PART_SHARD = "part-%05d-shard-%05d.safetensors";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Pattern SHARD_FILES = Pattern.compile("(part-\\d{5}-shard-\\d{5}|shard_\\d{5})\\.safetensors");

    private SparkHarvest() {
    }

    /**
     * What to harvest, as the command line gives it.
     *
     * @param model       the model directory
     * @param hook        the hook point's name
     * @param corpus      the corpus ({@link Documents})
     * @param contextSize tokens per context, or null for min(128, the model's context)
     * @param keepBos     keep rows at BOS positions
     * @param tokens      rows to harvest at most
     * @param dtype       F32 or BF16
     * @param out         the activation directory
     * @param partitions  partitions the corpus is split into
     */
    record Settings(String model, String hook, String corpus, Integer contextSize, boolean keepBos, long tokens,
                    Dtype dtype, String out, int partitions) {
    }

    /**
     * A finished harvest: the manifest written, where, and how long the planning and the harvest jobs took.
     *
     * @param taskSeconds    the harvest tasks' wall times, summed
     * @param taskCpuSeconds the CPU time of the tasks' threads, summed: what the harvest costs whatever else runs
     *                       on the machine (each task runs its kernels on its own thread)
     */
    record Report(ActivationManifest manifest, String out, int partitions, double planSeconds, double harvestSeconds,
                  double taskSeconds, double taskCpuSeconds) {
    }

    /** What every task needs besides its part: the settings in serializable form. */
    private record Task(String model, String modelName, String hook, int contextSize, int contextsPerPass,
                        boolean keepBos, long tokens, Dtype dtype, String corpus, long total, String out,
                        Storage storage) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** What one partition wrote: its shard files in order, their rows, the norms of those rows, its times. */
    private record Written(int partition, List<String> files, long[] rows, ActivationScaler norms, double seconds,
                           double cpuSeconds) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * Runs the harvest on {@code context}.
     *
     * @throws NanolensException for settings that do not fit the model, a corpus with no full context, or a
     *                           location that cannot be read or written
     */
    static Report run(JavaSparkContext context, Settings s) {
        Storage storage = Storage.of(context);
        String model = storage.qualified(s.model());
        String out = storage.qualified(s.out());
        GptFiles.Loaded loaded = ExecutorCache.model(model, storage);
        HarvestConfig config = config(loaded, s);
        Documents documents = Documents.open(context, storage, s.corpus(), s.partitions());
        int pass = config.rowsPerPass();
        long started = System.nanoTime();
        List<StreamPlan.Summary> summaries = documents.rdd().mapPartitions(it -> List.of(StreamPlan.summarise(it,
                ExecutorCache.model(model, storage).tokenizer(), pass)).iterator()).collect();
        List<StreamPlan.Part> parts = StreamPlan.plan(summaries, pass);
        double planSeconds = (System.nanoTime() - started) / 1e9;
        storage.makeDirectory(out);
        storage.delete(out, ActivationManifest.FILE_NAME);
        Task task = new Task(model, Storage.display(model), config.hook().name(), config.contextSize(),
                config.contextsPerPass(), config.keepBos(), config.tokens(), s.dtype(), documents.source(),
                parts.getLast().end(), out, storage);
        Broadcast<List<StreamPlan.Part>> plan = context.broadcast(parts);
        started = System.nanoTime();
        List<Written> written = new ArrayList<>(documents.rdd().mapPartitionsWithIndex(
                (i, it) -> harvest(i, it, plan.value().get(i), task), false).collect());
        double harvestSeconds = (System.nanoTime() - started) / 1e9;
        plan.destroy();
        written.sort(Comparator.comparingInt(Written::partition));
        ActivationManifest manifest = manifest(task, config.hook().width(loaded.gpt().config()), written);
        Path local = temporaryDirectory();
        try {
            manifest.write(local);
            storage.upload(local.resolve(ActivationManifest.FILE_NAME), out, ActivationManifest.FILE_NAME);
        } finally {
            ExecutorCache.deleteTree(local);
        }
        Set<String> kept = manifest.shards().stream().map(ActivationManifest.Shard::file).collect(Collectors.toSet());
        for (String name : storage.list(out)) {
            if (SHARD_FILES.matcher(name).matches() && !kept.contains(name)) {
                storage.delete(out, name);
            }
        }
        return new Report(manifest, Storage.display(out), parts.size(), planSeconds, harvestSeconds,
                written.stream().mapToDouble(Written::seconds).sum(),
                written.stream().mapToDouble(Written::cpuSeconds).sum());
    }

    /** The harvest settings, checked against the model as a local harvest checks them. */
    private static HarvestConfig config(GptFiles.Loaded loaded, Settings s) {
        GptConfig c = loaded.gpt().config();
        int context = s.contextSize() != null ? s.contextSize()
                : Math.min(HarvestConfig.DEFAULT_CONTEXT_SIZE, c.sequenceLen());
        HarvestConfig config = new HarvestConfig(HookPoint.parse(s.hook(), c), context,
                HarvestConfig.DEFAULT_CONTEXTS_PER_PASS, s.keepBos(), s.tokens());
        new ActivationHarvester(loaded.gpt(), loaded.tokenizer(), Corpus.of("check", List.of("check")), config)
                .close(); // its constructor checks the hook, context size and vocabulary against the model
        return config;
    }

    /** The manifest over every partition's shards, in partition order, with the merged normalisation factor. */
    private static ActivationManifest manifest(Task t, int width, List<Written> written) {
        List<ActivationManifest.Shard> shards = new ArrayList<>();
        ActivationScaler norms = new ActivationScaler(width);
        long tokens = 0;
        for (Written w : written) {
            for (int i = 0; i < w.files().size(); i++) {
                shards.add(new ActivationManifest.Shard(w.files().get(i), w.rows()[i]));
                tokens += w.rows()[i];
            }
            norms.merge(w.norms());
        }
        if (tokens == 0) {
            throw new NanolensException("no activations to write to " + t.out() + ": corpus " + t.corpus()
                    + " holds less than one context of " + t.contextSize() + " tokens; use a larger corpus or a "
                    + "smaller context size");
        }
        String dtype = t.dtype() == Dtype.BF16 ? ActivationManifest.BFLOAT16 : ActivationManifest.FLOAT32;
        return new ActivationManifest(ActivationManifest.FORMAT_VERSION, t.modelName(), t.hook(), width, dtype,
                t.contextSize(), !t.keepBos(), t.corpus(), tokens, norms.scalingFactor(), shards);
    }

    /** On an executor: harvests one part and uploads its shards, one shard held locally at a time. */
    private static Iterator<Written> harvest(int partition, Iterator<String> documents, StreamPlan.Part part,
                                             Task t) {
        long started = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        GptFiles.Loaded model = ExecutorCache.model(t.model(), t.storage());
        StreamPlan.Slice slice = StreamPlan.slice(part, documents, model.tokenizer());
        if (slice == null) {
            return Collections.emptyIterator();
        }
        long rows = Math.min(t.tokens() - slice.before(t.keepBos()), slice.inside(t.keepBos()));
        if (rows < 1 || Math.min(part.to(), t.total()) - part.from() < t.contextSize()) {
            return Collections.emptyIterator(); // past the row budget, or not one full context left
        }
        GptConfig c = model.gpt().config();
        HarvestConfig config = new HarvestConfig(HookPoint.parse(t.hook(), c), t.contextSize(), t.contextsPerPass(),
                t.keepBos(), rows);
        int width = config.hook().width(c);
        ActivationScaler norms = new ActivationScaler(width);
        ActivationManifest.Origin origin = new ActivationManifest.Origin(t.modelName(), t.hook(), t.contextSize(),
                !t.keepBos(), t.corpus());
        int shardRows = ActivationShards.defaultShardRows(width);
        float[] buffer = new float[shardRows * width];
        List<String> files = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        Corpus held = Corpus.of(t.corpus() + " (partition " + partition + ")", slice.documents());
        Path local = temporaryDirectory();
        try (ActivationHarvester harvester = new ActivationHarvester(model.gpt(), model.tokenizer(), held, config,
                slice.start())) {
            for (int n; (n = harvester.readFully(buffer, 0, shardRows)) > 0; ) {
                norms.add(buffer, 0, n);
                ActivationShards.write(rowsOf(buffer, n, width), origin, local, t.dtype(), shardRows);
                String name = String.format(Locale.ROOT, PART_SHARD, partition, files.size());
                t.storage().upload(local.resolve(ActivationShards.shardName(0)), t.out(), name);
                files.add(name);
                counts.add((long) n);
            }
        } finally {
            ExecutorCache.deleteTree(local);
        }
        long[] rowCounts = counts.stream().mapToLong(Long::longValue).toArray();
        return List.of(new Written(partition, files, rowCounts, norms, (System.nanoTime() - started) / 1e9,
                (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9)).iterator();
    }

    /** The first {@code n} rows of {@code buffer} as a stream. */
    private static ActivationStream rowsOf(float[] buffer, int n, int width) {
        return new ActivationStream() {
            private int next;

            @Override
            public int width() {
                return width;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int count = Math.min(maxRows, n - next);
                System.arraycopy(buffer, next * width, dst, fromRow * width, count * width);
                next += count;
                return count;
            }
        };
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("nanolens-harvest-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }
}
