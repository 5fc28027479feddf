package io.nanolens.analysis;

import io.nanolens.NanolensException;

import java.io.Serializable;

/**
 * How a {@link FeatureAnalysis} pass reads its corpus and how much it keeps per feature. Every per-feature structure
 * has a size fixed here, whatever the corpus length: {@link #topContexts} windows for the strongest activations,
 * {@link #bands} × {@link #samplesPerBand} windows sampled from activation bands, a {@link #histogramBins}-bin
 * histogram and a few counters, so {@link #bytesPerFeature} bounds the pass's memory per feature. Defaults follow
 * SAEDashboard's runner where it has one (20 top activations, 10 logits per side, 50 histogram bins), raised or
 * rounded where our layout needs it (powers of two for the doubling histogram, see {@link FeatureAccumulator}).
 *
 * @param contextsPerPass contexts per forward pass at most (fewer for wide SAEs, see {@link #passContexts})
 * @param tokens          corpus tokens to analyse at most (BOS excluded)
 * @param topContexts     strongest contexts kept per feature
 * @param windowRadius    tokens shown on each side of a context's peak token
 * @param bands           activation bands sampled per feature, a power of two ≥ 2 dividing {@code histogramBins}
 * @param samplesPerBand  contexts sampled per band
 * @param histogramBins   bins of the activation histogram, a power of two ≥ 2
 * @param logitTokens     promoted and suppressed tokens listed per feature (each)
 * @param neighbours      nearest features by decoder cosine listed per feature
 * @param concepts        whether to score features against TinyWorld's concept labels
 * @param seed            fixes which contexts the band samples keep
 */
public record AnalysisConfig(int contextsPerPass, long tokens, int topContexts, int windowRadius,
                             int bands, int samplesPerBand, int histogramBins, int logitTokens, int neighbours,
                             boolean concepts, long seed) implements Serializable {

    /** SAELens's default {@code context_size}, for an SAE that does not record its own. */
    public static final int DEFAULT_CONTEXT_SIZE = 128;
    public static final int DEFAULT_CONTEXTS_PER_PASS = 8;
    public static final long DEFAULT_TOKENS = 200_000;
    /** SAEDashboard shows 20; 32 leaves room for a page to show more without a second pass. */
    public static final int DEFAULT_TOP_CONTEXTS = 32;
    /** Eight tokens each side: a 17-token line reads as a phrase and fits the page's width. */
    public static final int DEFAULT_WINDOW_RADIUS = 8;
    public static final int DEFAULT_BANDS = 8;
    public static final int DEFAULT_SAMPLES_PER_BAND = 4;
    /** SAEDashboard draws 50 bins; the doubling histogram needs a power of two. */
    public static final int DEFAULT_HISTOGRAM_BINS = 64;
    /** SAEDashboard's logit table: 10 positive, 10 negative. */
    public static final int DEFAULT_LOGIT_TOKENS = 10;
    public static final int DEFAULT_NEIGHBOURS = 8;
    /** Latent values one pass may hold ([rows, d_sae] floats, 32 MiB): bounds the pass size for wide SAEs. */
    static final long MAX_PASS_LATENTS = 8L << 20;
    private static final int MAX_WINDOW_RADIUS = 63; // window length 2r+1 must fit the byte-sized peak offset

    public AnalysisConfig {
        positive("contexts per pass", contextsPerPass);
        if (tokens < 1) {
            throw new NanolensException("the analysis needs at least 1 token, got " + tokens);
        }
        positive("top contexts", topContexts);
        if (windowRadius < 0 || windowRadius > MAX_WINDOW_RADIUS) {
            throw new NanolensException("window radius is " + windowRadius + " tokens; use 0.." + MAX_WINDOW_RADIUS);
        }
        if (histogramBins < 2 || Integer.bitCount(histogramBins) != 1 || histogramBins > 1 << 12) {
            throw new NanolensException("histogram bins is " + histogramBins + "; use a power of two in 2..4096");
        }
        if (bands < 2 || Integer.bitCount(bands) != 1 || bands > histogramBins) {
            throw new NanolensException("bands is " + bands + "; use a power of two in 2.." + histogramBins
                    + " (the histogram bins)");
        }
        positive("samples per band", samplesPerBand);
        positive("logit tokens", logitTokens);
        if (neighbours < 0) {
            throw new NanolensException("neighbours is " + neighbours + "; use 0 or more");
        }
    }

    /** The defaults, analysing at most {@code tokens} tokens; concept scores on when {@code concepts}. */
    public static AnalysisConfig of(long tokens, boolean concepts) {
        return new AnalysisConfig(DEFAULT_CONTEXTS_PER_PASS, tokens, DEFAULT_TOP_CONTEXTS,
                DEFAULT_WINDOW_RADIUS, DEFAULT_BANDS, DEFAULT_SAMPLES_PER_BAND, DEFAULT_HISTOGRAM_BINS,
                DEFAULT_LOGIT_TOKENS, DEFAULT_NEIGHBOURS, concepts, 1);
    }

    public AnalysisConfig withContextsPerPass(int contexts) {
        return new AnalysisConfig(contexts, tokens, topContexts, windowRadius, bands, samplesPerBand,
                histogramBins, logitTokens, neighbours, concepts, seed);
    }

    /** The same pass keeping {@code top} top contexts, {@code bandCount} bands of {@code samples} samples. */
    public AnalysisConfig withContexts(int top, int radius, int bandCount, int samples) {
        return new AnalysisConfig(contextsPerPass, tokens, top, radius, bandCount, samples,
                histogramBins, logitTokens, neighbours, concepts, seed);
    }

    public AnalysisConfig withLists(int bins, int logits, int neighbourCount) {
        return new AnalysisConfig(contextsPerPass, tokens, topContexts, windowRadius, bands,
                samplesPerBand, bins, logits, neighbourCount, concepts, seed);
    }

    public AnalysisConfig withTokens(long count) {
        return new AnalysisConfig(contextsPerPass, count, topContexts, windowRadius, bands, samplesPerBand,
                histogramBins, logitTokens, neighbours, concepts, seed);
    }

    public AnalysisConfig withSeed(long newSeed) {
        return new AnalysisConfig(contextsPerPass, tokens, topContexts, windowRadius, bands, samplesPerBand,
                histogramBins, logitTokens, neighbours, concepts, newSeed);
    }

    /** Tokens per context window, 2·radius + 1. */
    public int windowLength() {
        return 2 * windowRadius + 1;
    }

    /** Windows one feature keeps at most: the top contexts plus every band's samples. */
    public int windowsPerFeature() {
        return topContexts + bands * samplesPerBand;
    }

    /**
     * Upper bound on the bytes one feature's structures hold, whatever the corpus length: per window its token
     * ids and values (4 bytes each per token), peak, length, key and position; the histogram's counts; counters.
     */
    public long bytesPerFeature() {
        long perWindow = 8L * windowLength() + 2 + 4 + 8 + 8 + 8;
        return windowsPerFeature() * perWindow + 8L * histogramBins + 64;
    }

    /** Contexts per pass of {@code contextSize} tokens for {@code dSae} latents: ≤ {@link #MAX_PASS_LATENTS}. */
    public int passContexts(int contextSize, int dSae) {
        long fit = MAX_PASS_LATENTS / ((long) contextSize * dSae);
        return (int) Math.max(1, Math.min(contextsPerPass, fit));
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new NanolensException(what + " is " + value + "; it must be at least 1");
        }
    }
}
