package io.nanolens.eval;

import io.nanolens.NanolensException;
import io.nanolens.model.GptConfig;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.SaeMetadata;

/**
 * What an {@link SaeEvaluation} measures on: the hook point the SAE reads, the contexts the held-out text is cut
 * into, how many contexts one forward pass takes, whether BOS positions count, and the token budget. The defaults
 * follow the SAE's own harvest (its {@code cfg.json} metadata: hook name, context size) and SAELens's evals, which
 * leave special tokens out of every metric.
 *
 * @param hook            where the SAE is applied, e.g. {@code blocks.1.hook_resid_post}
 * @param contextSize     tokens per context, BOS first; at least 2 (a BOS and one token) and at most the model's
 *                        sequence length
 * @param contextsPerPass contexts in one forward pass (fewer are used when their logits would exceed
 *                        {@link SaeEvaluation#MAX_PASS_LOGITS})
 * @param tokens          evaluated token positions to stop after; {@link #ALL} for the whole held-out text
 * @param keepBos         whether BOS positions are evaluated too (they are not by default: the BOS activation is
 *                        the same outlier vector at every context start and the SAE was not trained on it)
 */
public record EvalConfig(HookPoint hook, int contextSize, int contextsPerPass, long tokens, boolean keepBos) {

    /** Token budget of {@code ./nanolens eval} unless {@code --tokens} says otherwise. */
    public static final long DEFAULT_TOKENS = 100_000;
    /** Context size when the SAE's metadata does not record one (SAELens's default context_size). */
    public static final int DEFAULT_CONTEXT_SIZE = 128;
    /** 8 contexts of 128 tokens: 1024 rows per pass, enough for the kernels to keep both cores busy. */
    public static final int DEFAULT_CONTEXTS_PER_PASS = 8;
    /** No token budget: evaluate the whole held-out text. */
    public static final long ALL = Long.MAX_VALUE;

    public EvalConfig {
        if (hook == null) {
            throw new NanolensException("an evaluation needs a hook point such as blocks.0.hook_resid_post");
        }
        if (contextSize < 2) {
            throw new NanolensException("context size is " + contextSize + " but an evaluation needs at least 2 "
                    + "tokens per context (the BOS and one token)");
        }
        if (contextsPerPass < 1) {
            throw new NanolensException("contexts per pass is " + contextsPerPass + " but must be at least 1");
        }
        if ((long) contextSize * contextsPerPass > Integer.MAX_VALUE - 8) {
            throw new NanolensException(contextsPerPass + " contexts of " + contextSize + " tokens exceed one pass "
                    + "(2^31 positions); use fewer contexts per pass");
        }
        if (tokens < 1) {
            throw new NanolensException("token budget is " + tokens + " but must be at least 1");
        }
    }

    /** Default batch, BOS positions left out, at most {@code tokens} evaluated positions. */
    public static EvalConfig of(HookPoint hook, int contextSize, long tokens) {
        return new EvalConfig(hook, contextSize, DEFAULT_CONTEXTS_PER_PASS, tokens, false);
    }

    /**
     * The evaluation an SAE was made for, on this model: its metadata's hook and context size (the model's sequence
     * length, at most {@value #DEFAULT_CONTEXT_SIZE}, when none is recorded).
     *
     * @throws NanolensException if the metadata names no hook, a hook this model does not have, or a context longer
     *                           than the model's
     */
    public static EvalConfig forSae(SaeMetadata metadata, GptConfig model, long tokens) {
        String name = metadata.hookName();
        if (name == null || name.isBlank()) {
            throw new NanolensException("the SAE's cfg.json names no hook (metadata.hook_name); write the hook it "
                    + "was trained on, e.g. blocks.0.hook_resid_post, into its metadata");
        }
        HookPoint hook;
        try {
            hook = HookPoint.parse(name, model);
        } catch (NanolensException e) {
            throw new NanolensException("the SAE reads hook '" + name + "', which this model (" + model.nLayer()
                    + " layers) does not have; use an SAE trained on this model", e);
        }
        Integer context = metadata.contextSize();
        int size = context != null ? context : Math.min(DEFAULT_CONTEXT_SIZE, model.sequenceLen());
        if (size > model.sequenceLen()) {
            throw new NanolensException("the SAE was trained on contexts of " + size + " tokens but the model's "
                    + "sequence length is " + model.sequenceLen() + "; use an SAE trained on this model");
        }
        return of(hook, size, tokens);
    }

    /** The same evaluation with BOS positions evaluated or left out. */
    public EvalConfig withKeepBos(boolean keep) {
        return new EvalConfig(hook, contextSize, contextsPerPass, tokens, keep);
    }

    /** The same evaluation with {@code count} contexts per forward pass. */
    public EvalConfig withContextsPerPass(int count) {
        return new EvalConfig(hook, contextSize, count, tokens, keepBos);
    }
}
