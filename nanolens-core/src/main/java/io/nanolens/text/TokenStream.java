package io.nanolens.text;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A corpus as one stream of token ids: every document as BOS followed by its tokens, concatenated (as nanochat's
 * dataloader builds it), read lazily from {@code start} on. The activation harvest and the evaluation cut their
 * contexts from it. Close to release the corpus.
 */
public final class TokenStream implements AutoCloseable {
    private static final int END = -1;

    private final Tokenizer tokenizer;
    private final Stream<String> documentStream;
    private final Iterator<String> documents;
    private final StreamStart start;
    private boolean started;             // the first document has been read
    private int[] document = new int[0]; // BOS and the current document's ids
    private int documentAt;              // next id of document to hand out

    public TokenStream(Corpus corpus, Tokenizer tokenizer, StreamStart start) {
        this.tokenizer = tokenizer;
        this.documentStream = corpus.documents();
        this.documents = documentStream.iterator();
        this.start = start;
    }

    /**
     * Copies the next {@code count} ids to dst[at, at + count); false (dst partly written) if the corpus ran out.
     *
     * @throws io.nanolens.NanolensException on the first read, if the start skips the whole first document
     */
    public boolean fill(int[] dst, int at, int count) {
        int placed = 0;
        while (placed < count) {
            if (!available()) {
                return false;
            }
            int n = Math.min(count - placed, document.length - documentAt);
            System.arraycopy(document, documentAt, dst, at + placed, n);
            documentAt += n;
            placed += n;
        }
        return true;
    }

    /** The next id without taking it, or -1 at the end of the corpus. */
    public int peek() {
        return available() ? document[documentAt] : END;
    }

    /** Drops the next id (nothing at the end of the corpus). */
    public void skip() {
        if (available()) {
            documentAt++;
        }
    }

    @Override
    public void close() {
        documentStream.close();
    }

    /** Whether an id is left, reading the next document when the current one is used up. */
    private boolean available() {
        while (documentAt == document.length) {
            if (!documents.hasNext()) {
                return false;
            }
            int[] ids = tokenizer.encode(documents.next());
            document = new int[ids.length + 1];
            document[0] = tokenizer.bosId();
            System.arraycopy(ids, 0, document, 1, ids.length);
            documentAt = started ? 0 : start.checkedSkip(document.length);
            started = true;
        }
        return true;
    }
}
