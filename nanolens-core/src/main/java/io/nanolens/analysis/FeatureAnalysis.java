package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.sae.Sae;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feature analysis, the entry point of the report stage (corpus → tokens → activations → SAE → report): one
 * streaming pass over a corpus collects, per feature, fixed-size statistics ({@link CorpusStatistics}: top
 * contexts, band samples, histogram, density, max activation, concept hits); then the weights give each feature's
 * logit effects ({@link LogitEffects}) and decoder neighbours ({@link DecoderNeighbours}); optional passes over two
 * text sets rank features contrastively ({@link ContrastTable}). The result is a {@link FeatureAtlas} whose cards
 * are built on demand, plus the concept and contrast tables. After SAEDashboard's feature-centric runner
 * (FORMATS.md §2.3), in one pass instead of one per feature batch.
 *
 * <p>Labels: every feature gets an automatic label from its top tokens ({@link AutoLabel}); with contrast sets,
 * the {@value #CONTRAST_LABELS} features ranked highest towards each set (with |d| ≥ {@value #CONTRAST_MIN_SCORE},
 * a medium effect) are prefixed with that set's name in brackets, e.g. {@code [deceptive] lie / pretend}.
 *
 * <p>Split over machines: {@link #statistics} runs the corpus pass over one part of a corpus, the parts' statistics
 * merge ({@link CorpusStatistics#merge}) and {@link #finish} turns them into the same result {@link #run} gives.
 */
public final class FeatureAnalysis {
    /** Progress stage of the corpus pass: done and total count tokens. */
    public static final String STAGE_CORPUS = "corpus";
    /** Progress stage of a contrast set's pass: done counts tokens, total is the token budget. */
    public static final String STAGE_CONTRAST = "contrast";
    /** Progress stage of the weight-only work (logit effects, neighbours): done and total count steps of 2. */
    public static final String STAGE_WEIGHTS = "weights";
    /** Features labelled per contrast set. */
    public static final int CONTRAST_LABELS = 10;
    /** Smallest |d| that earns a contrastive label. */
    public static final double CONTRAST_MIN_SCORE = 0.5;

    /** Told how far the analysis has come; called on the caller's thread. */
    @FunctionalInterface
    public interface Listener {
        /** A listener that ignores progress. */
        Listener NONE = (stage, done, total) -> {
        };

        void onProgress(String stage, long done, long total);
    }

    private FeatureAnalysis() {
    }

    /**
     * Analyses {@code subject}'s SAE over {@code corpus}.
     *
     * @param contrast two text sets to rank features by, or null
     * @throws io.nanolens.NanolensException if the corpus (or a contrast set) yields no tokens or the SAE gives a
     *                                       non-finite activation
     */
    public static AnalysisResult run(AnalysisSubject subject, Corpus corpus, AnalysisConfig config,
                                     ContrastSets contrast, Listener listener) {
        return finish(subject, CorpusStatistics.collect(subject, corpus, config, listener), config, contrast,
                listener);
    }

    /**
     * The corpus pass over one part of a corpus: {@code part} holds its documents, read from {@code start}, and
     * {@code config}'s token budget counts the part's tokens. Parts starting at multiples of the pass size
     * ({@link AnalysisConfig#passContexts} contexts of the subject's context size), merged, equal one pass over the
     * whole.
     *
     * @throws io.nanolens.NanolensException if the SAE gives a non-finite activation
     */
    public static CorpusStatistics statistics(AnalysisSubject subject, Corpus part, StreamStart start,
                                              AnalysisConfig config) {
        return CorpusStatistics.collect(subject, part, start, config, Listener.NONE);
    }

    /**
     * The result of a finished corpus pass: logit effects and neighbours from the weights, contrast scores (over at
     * most {@code config}'s tokens of each set) and the atlas.
     *
     * @param contrast two text sets to rank features by, or null
     * @throws io.nanolens.NanolensException if the pass analysed no token or a contrast set yields none
     */
    public static AnalysisResult finish(AnalysisSubject subject, CorpusStatistics stats, AnalysisConfig config,
                                        ContrastSets contrast, Listener listener) {
        if (stats.tokens == 0) {
            throw new NanolensException("the corpus yielded no tokens to analyse; give a corpus with text in it");
        }
        ContrastTable contrastTable = contrast == null ? null : contrast(subject, contrast, config, listener);
        Sae sae = subject.sae();
        float[] wDec = sae.parameters().get(Sae.W_DEC).data();
        LogitEffects logits = LogitEffects.compute(subject.gpt(), subject.hook(), wDec, sae.dSae(),
                config.logitTokens());
        listener.onProgress(STAGE_WEIGHTS, 1, 2);
        DecoderNeighbours neighbours = DecoderNeighbours.compute(wDec, sae.dSae(), sae.dIn(), config.neighbours());
        listener.onProgress(STAGE_WEIGHTS, 2, 2);
        AtlasCards cards = new AtlasCards(stats, logits, neighbours, contrastPrefixes(contrastTable),
                vocabulary(subject.tokenizer()));
        FeatureAtlas atlas = new FeatureAtlas(subject.modelName(), subject.hook().name(), subject.saeName(),
                sae.architecture().id(), sae.dSae(), stats.tokens,
                config.concepts() ? TinyWorld.concepts() : List.of(), cards);
        ConceptTable concepts = stats.concepts == null ? null : stats.concepts.table(stats.fires(), stats.tokens);
        return new AnalysisResult(atlas, concepts, contrastTable, stats.tokens, stats.seconds);
    }

    /**
     * Ranks every feature by how differently it fires on the two sets (at most {@link AnalysisConfig#tokens}
     * tokens of each).
     *
     * @throws io.nanolens.NanolensException if a set yields no tokens
     */
    public static ContrastTable contrast(AnalysisSubject subject, ContrastSets sets, AnalysisConfig config,
                                         Listener listener) {
        ContrastStats a = contrastStats(subject, sets.a(), config, listener);
        ContrastStats b = contrastStats(subject, sets.b(), config, listener);
        return ContrastStats.table(sets.nameA(), a, sets.nameB(), b);
    }

    /** The display string of every token id of the tokenizer. */
    static String[] vocabulary(Tokenizer tokenizer) {
        String[] vocab = new String[tokenizer.vocabSize()];
        for (int id = 0; id < vocab.length; id++) {
            vocab[id] = tokenizer.tokenString(id);
        }
        return vocab;
    }

    private static ContrastStats contrastStats(AnalysisSubject subject, Corpus set, AnalysisConfig config,
                                               Listener listener) {
        ContrastStats stats = new ContrastStats(subject.sae().dSae());
        try (CorpusPasses passes = new CorpusPasses(subject, set, config, false)) {
            for (Pass pass = passes.next(); pass != null; pass = passes.next()) {
                stats.add(pass);
                listener.onProgress(STAGE_CONTRAST, passes.analysed(), config.tokens());
            }
        }
        if (stats.tokens() == 0) {
            throw new NanolensException("contrast set " + set.source() + " yielded no tokens; give a "
                    + "file with text in it");
        }
        return stats;
    }

    /** "[name]" for the top-ranked features towards each set, strongest first. */
    private static Map<Integer, String> contrastPrefixes(ContrastTable table) {
        Map<Integer, String> prefixes = new HashMap<>();
        if (table == null) {
            return prefixes;
        }
        int towardsA = 0;
        int towardsB = 0;
        for (ContrastTable.Row row : table.rows()) {
            if (Math.abs(row.score()) < CONTRAST_MIN_SCORE) {
                break;
            }
            if (row.score() > 0 && towardsA < CONTRAST_LABELS) {
                prefixes.put(row.feature(), "[" + table.nameA() + "]");
                towardsA++;
            } else if (row.score() < 0 && towardsB < CONTRAST_LABELS) {
                prefixes.put(row.feature(), "[" + table.nameB() + "]");
                towardsB++;
            }
        }
        return prefixes;
    }
}
