package io.nanolens.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanolens.NanolensException;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A {@code --corpus} as Spark partitions of documents, in the order {@link Corpus#documents} reads them (the first
 * stage of the data walk, spread out): partition 0 holds the first documents, the last partition the last ones.
 * <ul>
 * <li>{@code tinyworld[:SEED[:STORIES]]}: each partition writes its own range of stories, nothing is sent;</li>
 * <li>a {@code .jsonl} file, local or on HDFS / S3A: read by the executors, one document per non-blank line's
 * string field {@code text} (blank texts skipped), as the local reader does;</li>
 * <li>any other corpus (a text file, a directory, a zip): read by the driver and sent to the executors; fine on a
 * laptop, but put a large corpus in a {@code .jsonl} on shared storage instead.</li>
 * </ul>
 *
 * @param rdd    the documents
 * @param source the corpus's source as a local run records it (absolute path for a local file)
 */
record Documents(JavaRDD<String> rdd, String source) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The documents of {@code spec} in {@code partitions} partitions (a {@code .jsonl} file may give more); a
     * {@code .jsonl} path without a scheme is on the default filesystem, local unless the cluster says otherwise.
     *
     * @throws NanolensException for a malformed spec or a missing local corpus (a bad line fails the job)
     */
    static Documents open(JavaSparkContext context, Storage storage, String spec, int partitions) {
        if (spec.toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            String location = storage.qualified(spec);
            String source = Storage.isLocal(location) ? Corpus.open(Storage.localPath(location).toString()).source()
                    : location;
            JavaRDD<String> lines = context.textFile(location, partitions);
            return new Documents(lines.mapPartitions(it -> parse(it, source)), source);
        }
        Corpus corpus = Corpus.open(spec);
        String source = corpus.source();
        if (source.startsWith("tinyworld:")) {
            String[] fields = source.split(":");
            long seed = Long.parseLong(fields[1]);
            int stories = Integer.parseInt(fields[2]);
            List<Integer> slices = IntStream.range(0, partitions).boxed().toList();
            JavaRDD<String> rdd = context.parallelize(slices, partitions)
                    .flatMap(p -> stories(seed, stories, p, partitions));
            return new Documents(rdd, source);
        }
        List<String> all;
        try (Stream<String> documents = corpus.documents()) {
            all = documents.toList();
        }
        return new Documents(context.parallelize(all, partitions), source);
    }

    /** Stories [p·n/P, (p+1)·n/P) of the world (seed, n). */
    private static Iterator<String> stories(long seed, int stories, int p, int partitions) {
        TinyWorld world = new TinyWorld(seed, stories);
        int from = (int) ((long) stories * p / partitions);
        int to = (int) ((long) stories * (p + 1) / partitions);
        return IntStream.range(from, to).mapToObj(world::story).iterator();
    }

    /** The documents of JSON lines: blank lines and blank texts skipped, anything else not a text object fails. */
    private static Iterator<String> parse(Iterator<String> lines, String location) {
        List<String> documents = new ArrayList<>();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new NanolensException(location + " has a line that is not valid JSON ("
                        + e.getOriginalMessage().replaceAll("\\s+", " ") + "): every line must be one object like "
                        + "{\"text\": \"...\"}");
            }
            JsonNode text = node.get("text");
            if (!node.isObject() || text == null || !text.isTextual()) {
                throw new NanolensException(location + " has a line with no string field \"text\": every line must "
                        + "be one object like {\"text\": \"...\"}");
            }
            if (!text.textValue().isBlank()) {
                documents.add(text.textValue());
            }
        }
        return documents.iterator();
    }
}
