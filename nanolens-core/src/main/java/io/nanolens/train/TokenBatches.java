package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.text.Tokenizer;

import java.util.Iterator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The token stream a model trains on (corpus → tokens → model): every document is encoded and prefixed with the
 * BOS token, as nanochat's dataloader does, the documents are laid end to end, and the stream is cut into rows of
 * T + 1 consecutive tokens, B rows per batch (inputs are a row's first T tokens, targets its last T). When the
 * corpus runs out it starts over (a new epoch). Nothing is random, so the stream is the same on every run; its
 * {@link Position} (epoch, document, token) is saved in a checkpoint and {@link #seek} continues exactly there.
 * Holds one open document stream; close it when done.
 */
public final class TokenBatches implements AutoCloseable {
    private final Supplier<Stream<String>> documents;
    private final Tokenizer tokenizer;
    private final int batch;             // B
    private final int time;              // T
    private final int[] row;             // [T + 1] scratch

    private Stream<String> stream;
    private Iterator<String> iterator;
    private long epoch;
    private long document = -1;          // index of the current document in its epoch
    private int[] tokens = new int[0];   // BOS + the current document's tokens
    private int offset;                  // next unread token of the current document

    /**
     * Where a stream stands: the next token to be served is token {@code token} (0 = the BOS) of document
     * {@code document} of pass {@code epoch} over the corpus.
     */
    public record Position(long epoch, long document, int token) {
        /** The start of the stream. */
        public static final Position START = new Position(0, 0, 0);

        public Position {
            if (epoch < 0 || document < 0 || token < 0) {
                throw new NanolensException("data position (epoch " + epoch + ", document " + document + ", token "
                        + token + ") must not be negative; the checkpoint is damaged");
            }
        }
    }

    /**
     * Batches of {@code batch} rows of {@code time} + 1 tokens from {@code documents}, which must give the same
     * documents in the same order on every call (for instance {@code corpus::documents}).
     *
     * @throws NanolensException if batch or time is below 1
     */
    public TokenBatches(Supplier<Stream<String>> documents, Tokenizer tokenizer, int batch, int time) {
        if (batch < 1 || time < 1) {
            throw new NanolensException("batches of " + batch + " rows of " + time + " tokens: both must be ≥ 1");
        }
        this.documents = documents;
        this.tokenizer = tokenizer;
        this.batch = batch;
        this.time = time;
        this.row = new int[time + 1];
    }

    /** Rows per batch, B. */
    public int batch() {
        return batch;
    }

    /** Input tokens per row, T. */
    public int time() {
        return time;
    }

    /**
     * Fills the next batch: {@code inputs[b·T + t]} = row b's token t, {@code targets[b·T + t]} = its token t + 1.
     *
     * @param inputs  [B, T] row-major, overwritten
     * @param targets [B, T] row-major, overwritten
     */
    public void next(int[] inputs, int[] targets) {
        if (inputs.length != batch * time || targets.length != batch * time) {
            throw new IllegalArgumentException("inputs and targets must hold B·T = " + batch * time + " ids");
        }
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i <= time; i++) {
                row[i] = nextToken();
            }
            System.arraycopy(row, 0, inputs, b * time, time);
            System.arraycopy(row, 1, targets, b * time, time);
        }
    }

    /** The position of the next token to be served. */
    public Position position() {
        if (iterator == null) {
            return new Position(epoch, 0, 0);
        }
        return offset < tokens.length ? new Position(epoch, document, offset) : new Position(epoch, document + 1, 0);
    }

    /**
     * Continues from a saved position: re-reads the corpus up to that document (documents before it are skipped,
     * not encoded).
     *
     * @throws NanolensException if the corpus has no such document or the document no such token
     */
    public void seek(Position position) {
        reopen(position.epoch());
        for (long i = 0; i < position.document(); i++) {
            if (!iterator.hasNext()) {
                throw new NanolensException("the corpus has only " + i + " documents but the checkpoint stopped at "
                        + "document " + position.document() + "; resume with the corpus the run started with");
            }
            iterator.next();
        }
        document = position.document() - 1;
        tokens = new int[0];
        offset = 0;
        if (position.token() > 0) {
            load();
            if (position.token() >= tokens.length) {
                throw new NanolensException("document " + position.document() + " has " + tokens.length
                        + " tokens but the checkpoint stopped at token " + position.token() + "; resume with the "
                        + "corpus and tokenizer the run started with");
            }
            offset = position.token();
        }
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
            stream = null;
            iterator = null;
        }
    }

    private int nextToken() {
        if (iterator == null) {
            reopen(epoch);
        }
        while (offset >= tokens.length) {
            load();
        }
        return tokens[offset++];
    }

    /** Moves to the next document, starting a new epoch at the end of the corpus. */
    private void load() {
        if (!iterator.hasNext()) {
            reopen(epoch + 1);
            if (!iterator.hasNext()) {
                throw new NanolensException("the corpus has no documents; give a corpus with text in it");
            }
        }
        String text = iterator.next();
        int[] ids = tokenizer.encode(text);
        tokens = new int[ids.length + 1];
        tokens[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, tokens, 1, ids.length);
        offset = 0;
        document++;
    }

    private void reopen(long newEpoch) {
        close();
        stream = documents.get();
        iterator = stream.iterator();
        epoch = newEpoch;
        document = -1;
        tokens = new int[0];
        offset = 0;
    }
}
