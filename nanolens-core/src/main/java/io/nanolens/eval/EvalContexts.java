package io.nanolens.eval;

import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TokenStream;
import io.nanolens.text.Tokenizer;

/**
 * Cuts held-out text into the contexts an evaluation runs: the documents' tokens, each document preceded by BOS
 * (as nanochat's dataloader and {@link io.nanolens.sae.store.ActivationHarvester} build the stream), are packed
 * into contexts of T tokens that each start with BOS, as SAELens's activation store does with prepend_bos: a
 * context is BOS followed by the next T − 1 tokens of the stream, and a document that begins right at a context
 * boundary does not repeat the BOS. A trailing partial context is dropped. Documents are read lazily; close to
 * release the corpus.
 */
final class EvalContexts implements AutoCloseable {
    private final TokenStream stream;
    private final int size;
    private final int bos;

    EvalContexts(Corpus corpus, Tokenizer tokenizer, int contextSize) {
        this.stream = new TokenStream(corpus, tokenizer, StreamStart.BEGINNING);
        this.size = contextSize;
        this.bos = tokenizer.bosId();
    }

    /** Writes the next context to ids[at, at + T); false (and ids partly overwritten) when the text ran out. */
    boolean next(int[] ids, int at) {
        ids[at] = bos;
        // A document starting right at the context boundary does not repeat the context's BOS.
        while (stream.peek() == bos) {
            stream.skip();
        }
        return stream.fill(ids, at + 1, size - 1);
    }

    @Override
    public void close() {
        stream.close();
    }
}
