package io.nanolens.analysis;

import io.nanolens.explorer.ActivatingContext;
import io.nanolens.model.GptState;
import io.nanolens.text.Corpus;
import io.nanolens.text.LabelledText;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The brute-force twin of a feature-analysis pass for tests: builds the token stream by hand, runs every context
 * through the model and the SAE, and keeps every latent of every token, so any per-feature statistic can be
 * recomputed by sorting and counting. Concept masks come from an independent rule for ASCII text (a token's
 * characters are its bytes).
 */
final class NaiveRun {
    /** One analysed token where a feature fired. */
    record Firing(float value, long position, ActivatingContext window) {
    }

    final AnalysisSubject subject;
    final int radius;
    final int[] ids;        // [stream] every token, BOS included
    final int[] masks;      // [stream]
    final float[][] latents; // per context, [len, m]
    final long tokens;      // analysed tokens
    private final int bos;
    private final String[] vocab;

    NaiveRun(AnalysisSubject subject, Corpus corpus, long budget, int radius, boolean concepts) {
        this.subject = subject;
        this.radius = radius;
        Tokenizer tokenizer = subject.tokenizer();
        bos = tokenizer.bosId();
        vocab = FeatureAnalysis.vocabulary(tokenizer);
        List<Integer> idList = new ArrayList<>();
        List<Integer> maskList = new ArrayList<>();
        long analysed = 0;
        try (Stream<String> docs = corpus.documents()) {
            outer:
            for (String text : (Iterable<String>) docs::iterator) {
                idList.add(bos);
                maskList.add(0);
                int[] docIds = tokenizer.encode(text);
                int[] docMasks = concepts ? asciiMasks(text, docIds, tokenizer) : new int[docIds.length];
                for (int i = 0; i < docIds.length; i++) {
                    if (analysed == budget) {
                        break outer;
                    }
                    idList.add(docIds[i]);
                    maskList.add(docMasks[i]);
                    analysed++;
                }
            }
        }
        tokens = analysed;
        ids = idList.stream().mapToInt(Integer::intValue).toArray();
        masks = maskList.stream().mapToInt(Integer::intValue).toArray();
        int t = subject.contextSize();
        latents = new float[(ids.length + t - 1) / t][];
        GptState state = GptState.forInference(subject.gpt().config(), 1, t);
        for (int c = 0; c < latents.length; c++) {
            int len = Math.min(t, ids.length - c * t);
            float[] act = subject.gpt().forwardTo(state, Arrays.copyOfRange(ids, c * t, c * t + len), 1, len,
                    subject.hook(), null);
            latents[c] = subject.sae().encode(act, len);
        }
    }

    /** Concept masks for ASCII text: token i covers the characters of its bytes. */
    static int[] asciiMasks(String text, int[] ids, Tokenizer tokenizer) {
        LabelledText labelled = TinyWorld.label(text);
        int[] masks = new int[ids.length];
        int at = 0;
        for (int i = 0; i < ids.length; i++) {
            int length = tokenizer.tokenBytes(ids[i]).length;
            for (int k = at; k < at + length; k++) {
                masks[i] |= labelled.bitsAt(k);
            }
            at += length;
        }
        if (at != text.length()) {
            throw new IllegalStateException("fixture text is not ASCII");
        }
        return masks;
    }

    int m() {
        return subject.sae().dSae();
    }

    /** The latent of feature j at stream position p. */
    float latent(long p, int j) {
        int t = subject.contextSize();
        return latents[(int) (p / t)][(int) (p % t) * m() + j];
    }

    boolean analysed(long p) {
        return ids[(int) p] != bos;
    }

    /** Every firing of feature j on an analysed token, strongest first, earlier position first among equals. */
    List<Firing> firings(int j) {
        List<Firing> out = new ArrayList<>();
        for (long p = 0; p < ids.length; p++) {
            float v = latent(p, j);
            if (analysed(p) && v > 0) {
                out.add(new Firing(v, p, window(p, j)));
            }
        }
        out.sort(Comparator.comparingDouble((Firing f) -> -f.value()).thenComparingLong(Firing::position));
        return out;
    }

    /** The window of position p: up to radius tokens each side inside its context and document. */
    ActivatingContext window(long p, int j) {
        int t = subject.contextSize();
        int start = (int) (p / t) * t;
        int end = Math.min(ids.length, start + t);
        int lo = (int) p;
        while (lo > start && p - lo < radius && ids[lo - 1] != bos) {
            lo--;
        }
        int hi = (int) p + 1;
        while (hi < end && hi - p <= radius && ids[hi] != bos) {
            hi++;
        }
        List<String> tokens = new ArrayList<>();
        float[] values = new float[hi - lo];
        for (int q = lo; q < hi; q++) {
            tokens.add(vocab[ids[q]]);
            values[q - lo] = latent(q, j);
        }
        return new ActivatingContext(tokens, values, (int) p - lo);
    }
}
