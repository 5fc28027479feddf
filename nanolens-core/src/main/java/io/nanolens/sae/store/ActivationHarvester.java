package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TokenStream;
import io.nanolens.text.Tokenizer;

import java.util.Arrays;

/**
 * Runs a GPT over a corpus and yields the activations at one hook point, [n, width] row by row: the step of the
 * data walk from tokens to activations. Each document becomes BOS followed by its tokens (as nanochat's dataloader
 * builds them); the documents' tokens are concatenated and cut into contexts of {@link HarvestConfig#contextSize}
 * tokens, so a context may start mid-document and hold several (SAELens packs its token stream the same way).
 * {@link HarvestConfig#contextsPerPass} contexts go through one forward pass that stops at the hook's layer
 * ({@link Gpt#forwardTo}); rows at BOS positions are left out unless {@link HarvestConfig#keepBos}. A trailing
 * partial context is dropped. Memory: one inference state and one pass of rows, whatever the corpus size; documents
 * are read lazily and the corpus stays open until the harvest ends or {@link #close()} is called. A harvest of one
 * part of a corpus may begin inside its first document ({@link StreamStart}): started at a multiple of the pass
 * size, with its row limit cut to the part, it yields exactly the whole corpus's rows of that part.
 */
public final class ActivationHarvester implements ActivationStream {
    private final Gpt gpt;
    private final Corpus corpus;
    private final HarvestConfig config;
    private final int width;
    private final int bos;
    private final GptState state;
    private final TokenStream stream;
    private final int[] passTokens;      // [P, T] ids of the pass being filled
    private final float[] pending;       // [P·T, width] rows of the last pass, read from pendingAt
    private int pendingRows;
    private int pendingAt;
    private long rows;                   // rows yielded by passes so far (≤ config.tokens)
    private long contexts;               // contexts run through the model
    private boolean done;                // no further pass will run

    /**
     * A harvest of {@code corpus} through {@code gpt}, tokenised with {@code tokenizer}; nothing runs until the
     * first read.
     *
     * @throws NanolensException if the hook is past the model's last layer, the context is longer than the model's
     *                           or the tokenizer's ids do not fit the model's vocabulary
     */
    public ActivationHarvester(Gpt gpt, Tokenizer tokenizer, Corpus corpus, HarvestConfig config) {
        this(gpt, tokenizer, corpus, config, StreamStart.BEGINNING);
    }

    /**
     * A harvest of the part of a corpus that {@code corpus}'s documents hold, read from {@code start} on; as
     * {@link #ActivationHarvester(Gpt, Tokenizer, Corpus, HarvestConfig)} otherwise.
     *
     * @throws NanolensException as that constructor does, or (on the first read) if the start skips the whole of
     *                           the first document
     */
    public ActivationHarvester(Gpt gpt, Tokenizer tokenizer, Corpus corpus, HarvestConfig config,
                               StreamStart start) {
        GptConfig c = gpt.config();
        if (config.hook().layer() >= c.nLayer()) {
            throw new NanolensException("hook point " + config.hook() + " is past the model's last layer "
                    + (c.nLayer() - 1) + "; choose a layer in 0.." + (c.nLayer() - 1));
        }
        if (config.contextSize() > c.sequenceLen()) {
            throw new NanolensException("context size " + config.contextSize() + " is longer than the model's "
                    + c.sequenceLen() + " tokens; use a context size of at most " + c.sequenceLen());
        }
        if (tokenizer.vocabSize() > c.vocabSize()) {
            throw new NanolensException("tokenizer " + tokenizer.name() + " has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary is " + c.vocabSize() + "; use the model's own tokenizer");
        }
        this.gpt = gpt;
        this.corpus = corpus;
        this.config = config;
        this.width = config.hook().width(c);
        this.bos = tokenizer.bosId();
        this.state = GptState.forInference(c, config.contextsPerPass(), config.contextSize());
        this.passTokens = new int[config.rowsPerPass()];
        this.pending = new float[Math.multiplyExact(config.rowsPerPass(), width)];
        this.stream = new TokenStream(corpus, tokenizer, start);
    }

    public HarvestConfig config() {
        return config;
    }

    public Corpus corpus() {
        return corpus;
    }

    @Override
    public int width() {
        return width;
    }

    /** Rows harvested so far (those read and those waiting from the last pass). */
    public long rows() {
        return rows;
    }

    /** Token positions run through the model so far: contexts × context size, BOS positions included. */
    public long positions() {
        return contexts * config.contextSize();
    }

    /** Where the rows come from, for an activation manifest; {@code modelName} names the model (e.g. its path). */
    public ActivationManifest.Origin origin(String modelName) {
        return new ActivationManifest.Origin(modelName, config.hook().name(), config.contextSize(),
                !config.keepBos(), corpus.source());
    }

    @Override
    public int read(float[] dst, int fromRow, int maxRows) {
        Rows.checkRead(dst, fromRow, maxRows, width);
        while (pendingAt == pendingRows) {
            if (done || !runPass()) {
                return 0;
            }
        }
        int n = Math.min(maxRows, pendingRows - pendingAt);
        System.arraycopy(pending, pendingAt * width, dst, fromRow * width, n * width);
        pendingAt += n;
        return n;
    }

    /** Closes the corpus; later reads return only rows already harvested. */
    @Override
    public void close() {
        done = true;
        stream.close();
    }

    /** Fills and runs one pass; false when not even one full context was left. */
    private boolean runPass() {
        int t = config.contextSize();
        int filled = 0;
        while (filled < config.contextsPerPass() && stream.fill(passTokens, filled * t, t)) {
            filled++;
        }
        if (filled == 0) {
            close();
            return false;
        }
        int[] ids = filled == config.contextsPerPass() ? passTokens : Arrays.copyOf(passTokens, filled * t);
        float[] act = gpt.forwardTo(state, ids, filled, t, config.hook(), null);
        contexts += filled;
        pendingRows = 0;
        pendingAt = 0;
        for (int r = 0; r < ids.length && rows < config.tokens(); r++) {
            if (config.keepBos() || ids[r] != bos) {
                System.arraycopy(act, r * width, pending, pendingRows * width, width);
                pendingRows++;
                rows++;
            }
        }
        if (rows == config.tokens() || filled < config.contextsPerPass()) {
            close();
        }
        return true;
    }
}
