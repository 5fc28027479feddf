package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import io.nanolens.model.HookPoint;

/**
 * What an {@link ActivationHarvester} records: the hook point, how token streams are cut into contexts, how many
 * contexts one forward pass takes, whether BOS positions are kept, and how many rows to stop after. Defaults follow
 * SAELens's runner where it has one (context 128, BOS excluded as its {@code exclude_special_tokens} option does).
 *
 * @param hook            where activations are read, e.g. {@code blocks.1.hook_resid_post}
 * @param contextSize     tokens per context (SAELens {@code context_size}), at most the model's sequence length
 * @param contextsPerPass contexts in one forward pass (its batch)
 * @param keepBos         whether rows at BOS positions are yielded too (they are left out by default: their
 *                        activation is the same large vector at every document start, see SAELens#333)
 * @param tokens          rows to yield at most; {@link #ALL} for the whole corpus
 */
public record HarvestConfig(HookPoint hook, int contextSize, int contextsPerPass, boolean keepBos, long tokens) {

    /** SAELens's default {@code context_size}. */
    public static final int DEFAULT_CONTEXT_SIZE = 128;
    /** 8 contexts of 128 tokens: 1024 rows per pass, enough for the kernels to use both cores well. */
    public static final int DEFAULT_CONTEXTS_PER_PASS = 8;
    /** No row limit: harvest until the corpus ends. */
    public static final long ALL = Long.MAX_VALUE;

    public HarvestConfig {
        if (hook == null) {
            throw new NanolensException("a harvest needs a hook point such as blocks.0.hook_resid_post");
        }
        if (contextSize < 1) {
            throw new NanolensException("context size is " + contextSize + " but must be at least 1 token");
        }
        if (contextsPerPass < 1) {
            throw new NanolensException("contexts per pass is " + contextsPerPass + " but must be at least 1");
        }
        if ((long) contextSize * contextsPerPass > Integer.MAX_VALUE - 8) {
            throw new NanolensException(contextsPerPass + " contexts of " + contextSize + " tokens exceed one pass "
                    + "(2^31 positions); use fewer contexts per pass");
        }
        if (tokens < 1) {
            throw new NanolensException("token count is " + tokens + " but must be at least 1");
        }
    }

    /** Default context size and batch, BOS left out, stopping after {@code tokens} rows. */
    public static HarvestConfig of(HookPoint hook, long tokens) {
        return new HarvestConfig(hook, DEFAULT_CONTEXT_SIZE, DEFAULT_CONTEXTS_PER_PASS, false, tokens);
    }

    /** The same harvest with another context size. */
    public HarvestConfig withContextSize(int size) {
        return new HarvestConfig(hook, size, contextsPerPass, keepBos, tokens);
    }

    /** The same harvest with BOS rows kept or left out. */
    public HarvestConfig withKeepBos(boolean keep) {
        return new HarvestConfig(hook, contextSize, contextsPerPass, keep, tokens);
    }

    /** Rows per full pass, contextsPerPass · contextSize. */
    public int rowsPerPass() {
        return contextsPerPass * contextSize;
    }
}
