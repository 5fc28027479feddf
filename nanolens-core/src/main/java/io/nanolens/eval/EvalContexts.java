package io.nanolens.eval;

import io.nanolens.text.Corpus;
import io.nanolens.text.Tokenizer;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Cuts held-out text into the contexts an evaluation runs: the documents' tokens, each document preceded by BOS
 * (as nanochat's dataloader and {@link io.nanolens.sae.store.ActivationHarvester} build the stream), are packed
 * into contexts of T tokens that each start with BOS, as SAELens's activation store does with prepend_bos: a
 * context is BOS followed by the next T − 1 tokens of the stream, and a document that begins right at a context
 * boundary does not repeat the BOS. A trailing partial context is dropped. Documents are read lazily; close to
 * release the corpus.
 */
final class EvalContexts implements AutoCloseable {
    private final Tokenizer tokenizer;
    private final int size;
    private final int bos;
    private final Stream<String> documentStream;
    private final Iterator<String> documents;
    private int[] document = new int[0];  // BOS and the current document's ids
    private int documentAt;               // next id of document to place

    EvalContexts(Corpus corpus, Tokenizer tokenizer, int contextSize) {
        this.tokenizer = tokenizer;
        this.size = contextSize;
        this.bos = tokenizer.bosId();
        this.documentStream = corpus.documents();
        this.documents = documentStream.iterator();
    }

    /** Writes the next context to ids[at, at + T); false (and ids partly overwritten) when the text ran out. */
    boolean next(int[] ids, int at) {
        ids[at] = bos;
        int placed = 1;
        while (placed < size) {
            if (documentAt == document.length && !nextDocument()) {
                return false;
            }
            if (placed == 1 && documentAt == 0) {
                documentAt = 1;
                continue;
            }
            int n = Math.min(size - placed, document.length - documentAt);
            System.arraycopy(document, documentAt, ids, at + placed, n);
            documentAt += n;
            placed += n;
        }
        return true;
    }

    private boolean nextDocument() {
        if (!documents.hasNext()) {
            return false;
        }
        int[] tokens = tokenizer.encode(documents.next());
        document = new int[tokens.length + 1];
        document[0] = bos;
        System.arraycopy(tokens, 0, document, 1, tokens.length);
        documentAt = 0;
        return true;
    }

    @Override
    public void close() {
        documentStream.close();
    }
}
