package io.nanolens.analysis;

import io.nanolens.NanolensException;
import io.nanolens.eval.ReconstructionMetrics;
import io.nanolens.model.Gpt;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Sae;
import io.nanolens.tensor.Parallel;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.Arrays;

/**
 * A held-out sample of a model's activations at one hook point, each token with its TinyWorld concept mask,
 * collected once so that many SAEs of that hook (a sweep, or one SAE at its training checkpoints) are scored
 * without running the model again. The tokens are those a {@link FeatureAnalysis} pass with the same corpus, token
 * budget and context size analyses (same packing, BOS left out), so {@link #score} gives the same concept table
 * as the analysis's, from one encode and decode of the stored rows instead of a model pass per SAE. Memory: the
 * rows, tokens × d floats (50,000 tokens of a d = 128 hook: 26 MB).
 */
public final class ConceptProbe {
    private static final int CHUNK_ROWS = 1024; // rows encoded at once: bounds the [rows, d_sae] latent buffer
    private static final int GRAIN = 128;       // features per parallel chunk of the concept count

    private final int d;
    private final int tokens;
    private final float[] rows;  // [tokens, d] activations of the analysed tokens, in corpus order
    private final int[] masks;   // [tokens] concept bit masks, all 0 without concepts
    private final boolean concepts;

    private ConceptProbe(int d, int tokens, float[] rows, int[] masks, boolean concepts) {
        this.d = d;
        this.tokens = tokens;
        this.rows = rows;
        this.masks = masks;
        this.concepts = concepts;
    }

    /**
     * How an SAE did on the probe's tokens.
     *
     * @param concepts per TinyWorld concept its best feature and F1 (as {@link AnalysisResult#concepts}), or null
     *                 without concepts
     * @param density  [d_sae] each feature's firing fraction
     * @param fvu      fraction of variance unexplained by the reconstruction
     * @param l0       mean number of features firing per token
     */
    public record Score(ConceptTable concepts, double[] density, double fvu, double l0) {
    }

    /**
     * Runs at most {@code tokens} tokens of {@code corpus} through {@code gpt} up to {@code hook} in contexts of
     * {@code contextSize} and keeps every non-BOS token's activation (and concept mask when {@code concepts}).
     *
     * @throws NanolensException if the corpus yields no token
     */
    public static ConceptProbe collect(Gpt gpt, Tokenizer tokenizer, HookPoint hook, int contextSize, Corpus corpus,
                                       long tokens, boolean concepts) {
        if (tokens > Integer.MAX_VALUE) {
            throw new NanolensException("a concept probe holds at most " + Integer.MAX_VALUE + " tokens, asked for "
                    + tokens);
        }
        int d = hook.width(gpt.config());
        AnalysisConfig config = AnalysisConfig.of(tokens, concepts);
        float[] rows = new float[Math.multiplyExact(d, (int) Math.min(tokens, 1 << 14))];
        int[] masks = new int[rows.length / d];
        int n = 0;
        try (CorpusPasses passes = new CorpusPasses(gpt, tokenizer, hook, contextSize, null, corpus, config,
                concepts)) {
            for (Pass pass = passes.next(); pass != null; pass = passes.next()) {
                for (int r = 0; r < pass.rows; r++) {
                    if (pass.analysed(r)) {
                        if (n == masks.length) {
                            masks = Arrays.copyOf(masks, (int) Math.min(tokens, 2L * n));
                            rows = Arrays.copyOf(rows, Math.multiplyExact(masks.length, d));
                        }
                        System.arraycopy(pass.activations, r * d, rows, n * d, d);
                        masks[n++] = pass.masks[r];
                    }
                }
            }
        }
        if (n == 0) {
            throw new NanolensException("corpus " + corpus.source() + " yielded no tokens to score SAEs on; give a "
                    + "corpus with text in it");
        }
        return new ConceptProbe(d, n, Arrays.copyOf(rows, n * d), Arrays.copyOf(masks, n), concepts);
    }

    /** Tokens held. */
    public int tokens() {
        return tokens;
    }

    /** The width of the hook's activations. */
    public int width() {
        return d;
    }

    /**
     * Encodes and decodes every held token with {@code sae}: each feature's density, FVU, L0 and (with concepts)
     * the best feature per concept with its precision, recall and F1 (a feature predicts a concept where it fires).
     *
     * @throws NanolensException if the SAE reads another width than the probe holds
     */
    public Score score(Sae sae) {
        if (sae.dIn() != d) {
            throw new NanolensException("the SAE reads " + sae.dIn() + " values per token but the probe holds "
                    + "activations of width " + d + "; use an SAE of the probe's hook point");
        }
        int m = sae.dSae();
        ReconstructionMetrics metrics = new ReconstructionMetrics(d, m);
        ConceptScores scores = concepts ? new ConceptScores(TinyWorld.concepts(), m) : null;
        float[] chunk = new float[Math.min(tokens, CHUNK_ROWS) * d];
        long[] fires = new long[m];
        for (int from = 0; from < tokens; from += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, tokens - from);
            System.arraycopy(rows, from * d, chunk, 0, n * d);
            float[] f = sae.encode(chunk, n);
            metrics.add(chunk, sae.decode(f, n), f, n);
            if (scores != null) {
                int first = from;
                for (int r = 0; r < n; r++) {
                    scores.countToken(masks[first + r]);
                }
                Parallel.forRange(m, GRAIN, (lo, hi) -> hits(scores, f, m, n, first, fires, lo, hi));
            }
        }
        ConceptTable table = scores == null ? null : scores.table(fires, tokens);
        return new Score(table, metrics.density(), metrics.fvu(), metrics.l0());
    }

    /** Counts the firings of features [lo, hi) over the chunk's rows and their concept hits. */
    private void hits(ConceptScores scores, float[] f, int m, int n, int first, long[] fires, int lo, int hi) {
        for (int r = 0; r < n; r++) {
            int mask = masks[first + r];
            for (int j = lo; j < hi; j++) {
                if (f[r * m + j] > 0) {
                    fires[j]++;
                    if (mask != 0) {
                        scores.hit(j, mask);
                    }
                }
            }
        }
    }
}
