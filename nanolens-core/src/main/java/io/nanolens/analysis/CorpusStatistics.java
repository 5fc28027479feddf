package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.tensor.Parallel;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TinyWorld;

import java.io.Serial;
import java.io.Serializable;

/**
 * The streaming pass itself: every pass of {@link CorpusPasses} is scanned once, features split over threads (a
 * feature belongs to one thread, so its state needs no lock and the result does not depend on the thread count),
 * and each firing (activation > 0) of feature j on an analysed token goes to j's {@link FeatureAccumulator}
 * (created at its first firing, so a dead feature costs one null reference) and to the concept hits. Memory:
 * d_sae accumulators of fixed size plus one pass.
 *
 * <p>Mergeable: the statistics of the parts of a corpus ({@link StreamStart}) merged with {@link #merge} equal
 * those of one pass over the whole, exactly (counts add, the top contexts and band samples are the strongest
 * activations and smallest keys of the union, see {@link FeatureAccumulator}), so the pass can run split over many
 * machines. Serializable, to travel between them.
 */
public final class CorpusStatistics implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final int GRAIN = 128; // features per parallel chunk

    final AnalysisConfig config;
    final FeatureAccumulator[] features; // [m], null for a feature that never fired
    final ConceptScores concepts;        // null without concepts
    long tokens;
    double seconds;

    private CorpusStatistics(AnalysisConfig config, int m) {
        this.config = config;
        this.features = new FeatureAccumulator[m];
        this.concepts = config.concepts() ? new ConceptScores(TinyWorld.concepts(), m) : null;
    }

    /**
     * Runs the pass over {@code corpus}, reporting progress as stage "corpus".
     *
     * @throws NanolensException if the corpus yields no token or the SAE yields a non-finite activation
     */
    static CorpusStatistics collect(AnalysisSubject subject, Corpus corpus, AnalysisConfig config,
                                    FeatureAnalysis.Listener listener) {
        CorpusStatistics stats = collect(subject, corpus, StreamStart.BEGINNING, config, listener);
        if (stats.tokens == 0) {
            throw new NanolensException("corpus " + corpus.source() + " yielded no tokens to analyse; give a corpus "
                    + "with text in it");
        }
        return stats;
    }

    /** Runs the pass over the part of a corpus {@code part} holds, from {@code start}; it may yield no token. */
    static CorpusStatistics collect(AnalysisSubject subject, Corpus part, StreamStart start, AnalysisConfig config,
                                    FeatureAnalysis.Listener listener) {
        CorpusStatistics stats = new CorpusStatistics(config, subject.sae().dSae());
        long started = System.nanoTime();
        try (CorpusPasses passes = new CorpusPasses(subject, part, start, config, config.concepts())) {
            for (Pass pass = passes.next(); pass != null; pass = passes.next()) {
                stats.add(pass);
                listener.onProgress(FeatureAnalysis.STAGE_CORPUS, passes.analysed(), config.tokens());
            }
            stats.tokens = passes.analysed();
        }
        stats.seconds = (System.nanoTime() - started) / 1e9;
        return stats;
    }

    /** Corpus tokens analysed (BOS excluded). */
    public long tokens() {
        return tokens;
    }

    /** Seconds the pass took (summed over merged parts). */
    public double seconds() {
        return seconds;
    }

    /**
     * Adds the statistics of another part of the same corpus, as if this pass had read its tokens too; the result
     * does not depend on the order parts are merged in. {@code other} must not be used afterwards.
     *
     * @throws IllegalArgumentException if the two were collected with different settings or SAE widths
     */
    public CorpusStatistics merge(CorpusStatistics other) {
        if (!config.withTokens(1).equals(other.config.withTokens(1)) || features.length != other.features.length) {
            throw new IllegalArgumentException("cannot merge the statistics of " + other.features.length
                    + " features under " + other.config + " into those of " + features.length + " under " + config);
        }
        for (int j = 0; j < features.length; j++) {
            if (features[j] == null) {
                features[j] = other.features[j];
            } else if (other.features[j] != null) {
                features[j].merge(other.features[j]);
            }
        }
        if (concepts != null) {
            concepts.merge(other.concepts);
        }
        tokens += other.tokens;
        seconds += other.seconds;
        return this;
    }

    /** Firings per feature. */
    long[] fires() {
        long[] fires = new long[features.length];
        for (int j = 0; j < fires.length; j++) {
            fires[j] = features[j] == null ? 0 : features[j].fires;
        }
        return fires;
    }

    private void add(Pass pass) {
        if (concepts != null) {
            concepts.countTokens(pass);
        }
        Parallel.forRange(features.length, GRAIN, (from, to) -> scan(pass, from, to));
    }

    /** Offers every firing of features [from, to) in the pass, row by row (stream order). */
    private void scan(Pass pass, int from, int to) {
        int m = pass.m;
        float[] f = pass.latents;
        for (int r = 0; r < pass.rows; r++) {
            if (!pass.analysed(r)) {
                continue;
            }
            int mask = pass.masks[r];
            long position = pass.firstPosition + r;
            for (int j = from; j < to; j++) {
                float v = f[r * m + j];
                if (v > 0) {
                    if (v == Float.POSITIVE_INFINITY) {
                        throw nonFinite(j, v, position);
                    }
                    FeatureAccumulator a = features[j];
                    if (a == null) {
                        a = new FeatureAccumulator(config);
                        features[j] = a;
                    }
                    a.offer(pass, r, j, v, sampleKey(config.seed(), position, j));
                    if (concepts != null && mask != 0) {
                        concepts.hit(j, mask);
                    }
                } else if (v != 0 && !(v > Float.NEGATIVE_INFINITY)) { // NaN or -∞; tested after the common zero
                    throw nonFinite(j, v, position);
                }
            }
        }
    }

    private static NanolensException nonFinite(int feature, float v, long position) {
        return new NanolensException("the SAE gave feature " + feature + " the activation " + v + " at token "
                + position + " of the corpus; its weights or the model's hold NaN or infinite values");
    }

    /** A pseudo-random 64-bit key per (token, feature): SplitMix64's finaliser over seed, position and feature. */
    static long sampleKey(long seed, long position, int feature) {
        long z = seed + position * 0x9E3779B97F4A7C15L + (long) feature * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
