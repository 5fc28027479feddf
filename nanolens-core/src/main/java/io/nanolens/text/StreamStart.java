package io.nanolens.text;

import io.nanolens.NanolensException;

import java.io.Serial;
import java.io.Serializable;

/**
 * Where a part of a corpus's token stream begins, for work split over several machines. The token stream is every
 * document as BOS followed by its tokens, concatenated; the activation harvest and the feature analysis cut it into
 * contexts and passes from position 0. A part is a run of whole documents read from {@link #skip} tokens into the
 * first one's stream (BOS included), which is stream position {@link #position} of the whole corpus; when that
 * position is a multiple of the pass size, the part's contexts and passes are exactly the whole corpus's, so the
 * parts together give what one pass over the corpus gives (the analysis also numbers tokens by their position).
 *
 * @param position stream position, in the whole corpus, of the part's first token
 * @param skip     tokens of the first document's stream, its BOS included, before that token
 */
public record StreamStart(long position, int skip) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The start of the whole corpus. */
    public static final StreamStart BEGINNING = new StreamStart(0, 0);

    public StreamStart {
        if (skip < 0 || position < skip) {
            throw new NanolensException("a stream start at position " + position + " skipping " + skip
                    + " tokens of its first document: both must be ≥ 0 and the skip at most the position");
        }
    }

    /**
     * The skip, checked against the first document's stream of {@code documentLength} tokens (BOS included).
     *
     * @throws NanolensException if the skip is not shorter than the document's stream
     */
    public int checkedSkip(int documentLength) {
        if (skip >= documentLength) {
            throw new NanolensException("the part's start skips " + skip + " tokens of its first document, which "
                    + "has only " + documentLength + " (BOS included); the part does not begin where its start says");
        }
        return skip;
    }
}
