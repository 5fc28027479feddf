package io.nanolens.analysis;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.Sae;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Runs a corpus through the model and the SAE pass by pass: tokens → activations at the hook → latents. Each
 * document becomes BOS followed by its tokens, the documents are concatenated into one token stream and cut into
 * contexts of the subject's context size, as {@link io.nanolens.sae.store.ActivationHarvester} packed the SAE's
 * training data, so a context may start mid-document. The stream stops after {@code tokens} non-BOS tokens or at the
 * corpus's end; the trailing partial context is not dropped but runs as a pass of its own (one shorter context),
 * so a small text set is analysed whole. Memory: one inference state and one pass, whatever the corpus size.
 * Without an SAE the passes carry the activations only ({@link ConceptProbe} keeps them to score SAEs later). The
 * documents may be one part of a larger corpus, read from a {@link StreamStart}: positions are then the whole
 * corpus's, and the budget counts the part's tokens.
 */
final class CorpusPasses implements AutoCloseable {
    private final Gpt gpt;
    private final HookPoint hook;
    private final Sae sae;                    // null: activations only
    private final Tokenizer tokenizer;
    private final boolean concepts;
    private final long budget;
    private final int time;
    private final int perPass;
    private final GptState state;
    private final Stream<String> documentStream;
    private final Iterator<String> documents;
    private final Pass pass;
    private final StreamStart start;
    private boolean started;                  // the first document has been read
    private int[] document = new int[0];     // BOS and the current document's ids
    private int[] documentMasks = new int[0]; // their concept masks
    private int documentAt;
    private long analysed;                    // non-BOS tokens placed in the stream so far
    private long position;                    // stream position of the next pass's first token
    private int carried;                      // tokens of a trailing partial context waiting in the buffer
    private int carryStart;                   // where they wait
    private boolean ended;

    CorpusPasses(AnalysisSubject subject, Corpus corpus, AnalysisConfig config, boolean concepts) {
        this(subject, corpus, StreamStart.BEGINNING, config, concepts);
    }

    CorpusPasses(AnalysisSubject subject, Corpus corpus, StreamStart start, AnalysisConfig config, boolean concepts) {
        this(subject.gpt(), subject.tokenizer(), subject.hook(), subject.contextSize(), subject.sae(), corpus, start,
                config, concepts);
    }

    /** Passes of {@code contextSize} tokens through {@code gpt} up to {@code hook}, and through {@code sae} if any. */
    CorpusPasses(Gpt gpt, Tokenizer tokenizer, HookPoint hook, int contextSize, Sae sae, Corpus corpus,
                 AnalysisConfig config, boolean concepts) {
        this(gpt, tokenizer, hook, contextSize, sae, corpus, StreamStart.BEGINNING, config, concepts);
    }

    private CorpusPasses(Gpt gpt, Tokenizer tokenizer, HookPoint hook, int contextSize, Sae sae, Corpus corpus,
                         StreamStart start, AnalysisConfig config, boolean concepts) {
        this.gpt = gpt;
        this.hook = hook;
        this.sae = sae;
        this.tokenizer = tokenizer;
        this.concepts = concepts;
        this.budget = config.tokens();
        this.time = contextSize;
        this.perPass = sae == null ? config.contextsPerPass() : config.passContexts(time, sae.dSae());
        this.state = GptState.forInference(gpt.config(), perPass, time);
        this.pass = new Pass(perPass * time, sae == null ? 0 : sae.dSae(), tokenizer.bosId(), config.windowRadius());
        this.documentStream = corpus.documents();
        this.documents = documentStream.iterator();
        this.start = start;
        this.position = start.position();
    }

    /** Tokens analysed so far (BOS excluded). */
    long analysed() {
        return analysed;
    }

    /** The next pass with its latents, or null when the stream is exhausted; the same object every call. */
    Pass next() {
        if (carried > 0) {
            System.arraycopy(pass.ids, carryStart, pass.ids, 0, carried);
            System.arraycopy(pass.masks, carryStart, pass.masks, 0, carried);
            int n = carried;
            carried = 0;
            return run(1, n);
        }
        if (ended) {
            return null;
        }
        int placed = fill(perPass * time);
        if (placed == 0) {
            return null;
        }
        int full = placed / time;
        if (full == 0) {
            return run(1, placed);
        }
        carried = placed - full * time;
        carryStart = full * time;
        return run(full, time);
    }

    @Override
    public void close() {
        ended = true;
        documentStream.close();
    }

    /** Runs {@code contexts} contexts of {@code width} tokens from the buffer's start through model and SAE. */
    private Pass run(int contexts, int width) {
        int n = contexts * width;
        int[] ids = n == pass.ids.length ? pass.ids : Arrays.copyOf(pass.ids, n);
        float[] act = gpt.forwardTo(state, ids, contexts, width, hook, null);
        pass.activations = act;
        pass.latents = sae == null ? null : sae.encode(act, n);
        pass.contexts = contexts;
        pass.time = width;
        pass.rows = n;
        pass.firstPosition = position;
        position += n;
        pass.computeWindows();
        return pass;
    }

    /** Places up to {@code capacity} stream tokens at the buffer's start; returns how many. */
    private int fill(int capacity) {
        int placed = 0;
        while (placed < capacity) {
            if (documentAt == document.length && !nextDocument()) {
                ended = true;
                break;
            }
            if (document[documentAt] != tokenizer.bosId()) {
                if (analysed == budget) {
                    ended = true;
                    break;
                }
                analysed++;
            }
            pass.ids[placed] = document[documentAt];
            pass.masks[placed] = documentMasks[documentAt];
            documentAt++;
            placed++;
        }
        return placed;
    }

    private boolean nextDocument() {
        if (!documents.hasNext()) {
            return false;
        }
        String text = documents.next();
        int[] ids = tokenizer.encode(text);
        document = new int[ids.length + 1];
        document[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, document, 1, ids.length);
        documentMasks = new int[document.length];
        if (concepts) {
            int[] masks = TokenConcepts.masks(TinyWorld.label(text), ids, tokenizer);
            System.arraycopy(masks, 0, documentMasks, 1, masks.length);
        }
        documentAt = started ? 0 : start.checkedSkip(document.length);
        started = true;
        return true;
    }
}
