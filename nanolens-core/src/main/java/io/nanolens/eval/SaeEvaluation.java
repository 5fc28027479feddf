package io.nanolens.eval;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.sae.Sae;
import io.nanolens.text.Corpus;
import io.nanolens.text.Tokenizer;

import java.util.Arrays;

/**
 * Measures an SAE on held-out text: the report stage of the data walk (corpus → tokens → activations → SAE →
 * report), after SAELens evals.py {@code run_evals}. The validation part of the corpus ({@link Corpus#validation()})
 * is cut into BOS-first contexts ({@link EvalContexts}) and run through the model in passes of several contexts,
 * each pass three times:
 * <ol>
 * <li>clean, caching the hook's activation x and the logits in the same forward;</li>
 * <li>with x replaced by the SAE's reconstruction x̂ at every evaluated position;</li>
 * <li>with x set to zero at every evaluated position.</li>
 * </ol>
 * Evaluated positions are the non-BOS ones (all of them with {@link EvalConfig#keepBos}) up to the token budget;
 * BOS positions keep their clean activation in every run, as they were never part of the SAE's training data.
 * Reconstruction metrics use every evaluated position; the cross-entropies and the KL use the evaluated positions
 * that have a next token in their context (all but the last of each). Memory: one inference state, one pass of
 * activations, latents in chunks of rows, and one pass of clean logits, whatever the budget.
 */
public final class SaeEvaluation {
    /** Most clean logits kept per pass (64 MB): a pass holds fewer contexts when T·V·contexts would exceed it. */
    public static final int MAX_PASS_LOGITS = 1 << 24;
    /** Most latent values encoded at once (16 MB), so that a wide SAE does not need a pass × d_sae array. */
    static final int MAX_CHUNK_LATENTS = 1 << 22;

    /** Told how far an evaluation is, after every pass. */
    @FunctionalInterface
    public interface Progress {
        /** {@code tokens} evaluated positions so far, of at most {@code budget} ({@link EvalConfig#ALL} if none). */
        void update(long tokens, long budget);
    }

    private SaeEvaluation() {
    }

    /**
     * Evaluates {@code sae} at {@code hook} on the validation part of {@code corpus}, with contexts of
     * {@value EvalConfig#DEFAULT_CONTEXT_SIZE} tokens (fewer if the model's sequence is shorter), for at most
     * {@code tokens} positions.
     */
    public static EvalReport run(Gpt gpt, Tokenizer tokenizer, Sae sae, HookPoint hook, Corpus corpus, long tokens) {
        int context = Math.min(EvalConfig.DEFAULT_CONTEXT_SIZE, gpt.config().sequenceLen());
        return run(gpt, tokenizer, sae, corpus, EvalConfig.of(hook, context, tokens), null);
    }

    /**
     * Evaluates {@code sae} on {@code corpus}: a whole corpus on its validation part, a part (training or validation)
     * as it is.
     *
     * @param progress told after every pass; may be null
     * @throws NanolensException if the SAE's d_in differs from the hook's width, the hook or the context does not fit
     *                           the model, the tokenizer does not fit the model, or the text holds no full context
     */
    public static EvalReport run(Gpt gpt, Tokenizer tokenizer, Sae sae, Corpus corpus, EvalConfig config,
                                 Progress progress) {
        check(gpt.config(), tokenizer, sae, config);
        Corpus heldOut = corpus.part() == null ? corpus.validation() : corpus;
        Pass pass = new Pass(gpt, tokenizer.bosId(), sae, config);
        try (EvalContexts contexts = new EvalContexts(heldOut, tokenizer, config.contextSize())) {
            while (pass.reconstruction.tokens() < config.tokens()) {
                int filled = pass.fill(contexts);
                if (filled > 0) {
                    pass.run(filled);
                    if (progress != null) {
                        progress.update(pass.reconstruction.tokens(), config.tokens());
                    }
                }
                if (filled < pass.contexts) {
                    break;
                }
            }
        }
        if (pass.reconstruction.tokens() == 0) {
            throw new NanolensException("corpus " + heldOut.description() + " holds no full context of "
                    + config.contextSize() + " tokens to evaluate on; use a larger corpus");
        }
        return pass.report();
    }

    private static void check(GptConfig model, Tokenizer tokenizer, Sae sae, EvalConfig config) {
        HookPoint hook = config.hook();
        if (hook.layer() >= model.nLayer()) {
            throw new NanolensException("hook point " + hook + " is past the model's last layer "
                    + (model.nLayer() - 1) + "; use an SAE trained on this model");
        }
        if (sae.dIn() != hook.width(model)) {
            throw new NanolensException("the SAE has d_in = " + sae.dIn() + " but " + hook + " of this model is "
                    + hook.width(model) + " wide; use an SAE trained on this model and hook");
        }
        if (config.contextSize() > model.sequenceLen()) {
            throw new NanolensException("context size " + config.contextSize() + " is longer than the model's "
                    + model.sequenceLen() + " tokens; use a context size of at most " + model.sequenceLen());
        }
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new NanolensException("tokenizer " + tokenizer.name() + " has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary is " + model.vocabSize() + "; use the model's own tokenizer");
        }
    }

    /** The buffers of one pass and the three forwards over them. */
    private static final class Pass {
        final Gpt gpt;
        final Sae sae;
        final EvalConfig config;
        final int bos;
        final int contexts;                  // P, contexts per pass
        final int time;                      // T
        final int width;                     // d, the hook's width
        final int chunkRows;                 // rows encoded at once
        final GptState state;
        final int[] ids;                     // [P·T]
        final boolean[] evaluated;           // [P·T] the position counts and its activation is replaced
        final int[] targets;                 // [P·T] next token of a scored position, else −1
        final float[] clean;                 // [P·T, d] the hook's clean activation
        final float[] patch;                 // [P·T, d] x̂ at evaluated rows
        final float[] x;                     // [P·T, d] evaluated rows of clean, packed
        final ReconstructionMetrics reconstruction;
        final DownstreamMetrics downstream;
        final Hooks read = new Hooks();
        final Hooks splice = new Hooks();
        final Hooks zero = new Hooks();
        int rows;

        Pass(Gpt gpt, int bos, Sae sae, EvalConfig config) {
            this.gpt = gpt;
            this.sae = sae;
            this.config = config;
            this.bos = bos;
            GptConfig model = gpt.config();
            time = config.contextSize();
            contexts = (int) Math.max(1, Math.min(config.contextsPerPass(),
                    MAX_PASS_LOGITS / ((long) time * model.vocabSize())));
            width = config.hook().width(model);
            chunkRows = Math.max(1, MAX_CHUNK_LATENTS / sae.dSae());
            int n = contexts * time;
            state = GptState.forInference(model, contexts, time);
            ids = new int[n];
            evaluated = new boolean[n];
            targets = new int[n];
            clean = new float[Math.multiplyExact(n, width)];
            patch = new float[clean.length];
            x = new float[clean.length];
            reconstruction = new ReconstructionMetrics(sae.dIn(), sae.dSae());
            downstream = new DownstreamMetrics(model.vocabSize(), n);
            read.add(config.hook(), (p, act, r, w, s) -> System.arraycopy(act, 0, clean, 0, r * w));
            splice.add(config.hook(), (p, act, r, w, s) -> replace(act, patch, r, w));
            zero.add(config.hook(), (p, act, r, w, s) -> replace(act, null, r, w));
        }

        /** Fills up to P contexts; returns how many. */
        int fill(EvalContexts source) {
            int filled = 0;
            while (filled < contexts && source.next(ids, filled * time)) {
                filled++;
            }
            return filled;
        }

        /** Marks the evaluated positions of {@code filled} contexts and runs the three forwards. */
        void run(int filled) {
            rows = filled * time;
            int[] passIds = rows == ids.length ? ids : Arrays.copyOf(ids, rows);
            int n = mark();
            gpt.forward(state, passIds, filled, time, null, read);
            downstream.clean(state.logits(), targets, rows);
            reconstruct(n);
            gpt.forward(state, passIds, filled, time, null, splice);
            downstream.spliced(state.logits());
            gpt.forward(state, passIds, filled, time, null, zero);
            downstream.ablated(state.logits());
        }

        /** Sets evaluated and targets for the current rows within the budget; returns the evaluated count. */
        private int mark() {
            long room = config.tokens() - reconstruction.tokens();
            int n = 0;
            for (int r = 0; r < rows; r++) {
                evaluated[r] = n < room && (config.keepBos() || ids[r] != bos);
                n += evaluated[r] ? 1 : 0;
                boolean last = r % time == time - 1;
                targets[r] = evaluated[r] && !last ? ids[r + 1] : -1;
            }
            return n;
        }

        /** Packs the n evaluated rows of clean, reconstructs them chunk by chunk, scatters x̂ into patch. */
        private void reconstruct(int n) {
            int packed = 0;
            for (int r = 0; r < rows; r++) {
                if (evaluated[r]) {
                    System.arraycopy(clean, r * width, x, packed++ * width, width);
                }
            }
            float[] xHat = new float[n * width];
            float[] chunk = new float[Math.min(n, chunkRows) * width];
            for (int from = 0; from < n; from += chunkRows) {
                int count = Math.min(chunkRows, n - from);
                System.arraycopy(x, from * width, chunk, 0, count * width);
                float[] f = sae.encode(chunk, count);
                float[] recon = sae.decode(f, count);
                System.arraycopy(recon, 0, xHat, from * width, count * width);
                reconstruction.add(chunk, recon, f, count);
            }
            packed = 0;
            for (int r = 0; r < rows; r++) {
                if (evaluated[r]) {
                    System.arraycopy(xHat, packed++ * width, patch, r * width, width);
                }
            }
        }

        /** Overwrites the evaluated rows of act with rows of {@code source}, or with zeros when it is null. */
        private void replace(float[] act, float[] source, int passRows, int w) {
            for (int r = 0; r < passRows; r++) {
                if (evaluated[r]) {
                    if (source == null) {
                        Arrays.fill(act, r * w, (r + 1) * w, 0f);
                    } else {
                        System.arraycopy(source, r * w, act, r * w, w);
                    }
                }
            }
        }

        EvalReport report() {
            ReconstructionMetrics rec = reconstruction;
            DownstreamMetrics down = downstream;
            return new EvalReport(rec.mse(), rec.fvu(), rec.cosineSimilarity(), rec.l0(), rec.l1(),
                    rec.deadFraction(), rec.denseFraction(), rec.densityHistogram(), down.ceClean(), down.ceWithSae(),
                    down.ceZeroAblation(), down.ceLossRecovered(), down.klDivergence(), rec.tokens());
        }
    }
}
