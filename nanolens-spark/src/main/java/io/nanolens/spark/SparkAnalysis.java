package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.ContrastSets;
import io.nanolens.analysis.CorpusStatistics;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.text.Corpus;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The feature analysis of {@code dashboard} as a Spark job (tokens → activations → SAE → per-feature statistics,
 * over many executors): each partition runs the core's corpus pass ({@link FeatureAnalysis#statistics}) over its
 * passes of the corpus ({@link StreamPlan}), the partitions' {@link CorpusStatistics} merge in a tree on the
 * executors, and the driver finishes them ({@link FeatureAnalysis#finish}: logit effects, neighbours, contrast sets,
 * the atlas). The merge is exact, so the result is the local pass's on the same corpus, card for card.
 */
final class SparkAnalysis {
    private SparkAnalysis() {
    }

    /**
     * What to analyse.
     *
     * @param model      the model directory
     * @param sae        the SAE directory
     * @param hook       the hook point, or null for the SAE's own
     * @param corpus     the corpus ({@link Documents})
     * @param partitions partitions the corpus is split into
     */
    record Settings(String model, String sae, String hook, String corpus, int partitions) {
    }

    /**
     * A finished analysis.
     *
     * @param result   what the local pass returns
     * @param subject  the model and SAE, named as given
     * @param seconds  wall time of the Spark jobs (planning and the pass)
     */
    record Report(AnalysisResult result, AnalysisSubject subject, double seconds) {
    }

    /** What every task needs besides its part. */
    private record Task(String model, String sae, String hook, AnalysisConfig config, Storage storage)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * Runs the analysis on {@code context} with {@code config}'s settings.
     *
     * @param contrast two text sets to rank features by (read on the driver), or null
     * @throws NanolensException if the model and SAE do not fit, the corpus yields no token, or a location
     *                           cannot be read
     */
    static Report run(JavaSparkContext context, Settings s, AnalysisConfig config, ContrastSets contrast) {
        Storage storage = Storage.of(context);
        String model = storage.qualified(s.model());
        String sae = storage.qualified(s.sae());
        String hook = s.hook();
        AnalysisSubject loaded = ExecutorCache.subject(model, sae, hook, storage);
        AnalysisSubject subject = new AnalysisSubject(Storage.display(model), loaded.gpt(), loaded.tokenizer(),
                Storage.display(sae), loaded.sae(), loaded.hook(), loaded.contextSize());
        Documents documents = Documents.open(context, storage, s.corpus(), s.partitions());
        int time = subject.contextSize();
        int pass = config.passContexts(time, subject.sae().dSae()) * time;
        long started = System.nanoTime();
        List<StreamPlan.Summary> summaries = documents.rdd().mapPartitions(it -> List.of(StreamPlan.summarise(it,
                ExecutorCache.subject(model, sae, hook, storage).tokenizer(), pass)).iterator()).collect();
        if (summaries.stream().mapToLong(StreamPlan.Summary::tokens).sum() == 0) {
            throw new NanolensException("corpus " + documents.source() + " has no documents to analyse");
        }
        Broadcast<List<StreamPlan.Part>> plan = context.broadcast(StreamPlan.plan(summaries, pass));
        Task task = new Task(model, sae, hook, config, storage);
        CorpusStatistics stats = documents.rdd()
                .mapPartitionsWithIndex((i, it) -> analyse(it, plan.value().get(i), task), false)
                .treeReduce(CorpusStatistics::merge);
        double seconds = (System.nanoTime() - started) / 1e9;
        plan.destroy();
        AnalysisResult result = FeatureAnalysis.finish(subject, stats, config, contrast,
                FeatureAnalysis.Listener.NONE);
        return new Report(result, subject, seconds);
    }

    /** On an executor: the statistics of one part, or none if it holds no pass or lies past the token budget. */
    private static Iterator<CorpusStatistics> analyse(Iterator<String> documents, StreamPlan.Part part, Task t) {
        AnalysisSubject subject = ExecutorCache.subject(t.model(), t.sae(), t.hook(), t.storage());
        StreamPlan.Slice slice = StreamPlan.slice(part, documents, subject.tokenizer());
        if (slice == null) {
            return Collections.emptyIterator();
        }
        long tokens = Math.min(t.config().tokens() - slice.before(false), slice.inside(false));
        if (tokens < 1) {
            return Collections.emptyIterator();
        }
        Corpus held = Corpus.of("part at " + slice.start().position(), slice.documents());
        return List.of(FeatureAnalysis.statistics(subject, held, slice.start(), t.config().withTokens(tokens)))
                .iterator();
    }
}
