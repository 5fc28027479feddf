package io.nanolens.text;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy, closeable sequence of documents: the one shape every {@link Corpus} reader has. A reader implements
 * {@link #advance} (next document or null at the end) and {@link #close} (idempotent, releases its file); the
 * iterator closes itself when it runs out. {@link #stream} hands it out as a sequential {@link Stream} whose
 * {@code close()} closes the reader. At most one file is open at a time, which is why {@link #concat} is written
 * here instead of using {@code Stream.flatMap} (its {@code iterator()} buffers a whole inner stream).
 */
abstract class DocumentIterator implements Iterator<String>, AutoCloseable {
    private String next;
    private boolean done;

    /** The next document, or null when there are no more. */
    protected abstract String advance();

    @Override
    public void close() {
    }

    @Override
    public final boolean hasNext() {
        if (next == null && !done) {
            next = advance();
            if (next == null) {
                done = true;
                close();
            }
        }
        return next != null;
    }

    @Override
    public final String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String document = next;
        next = null;
        return document;
    }

    final Stream<String> stream() {
        Spliterator<String> split = Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(split, false).onClose(this::close);
    }

    static DocumentIterator empty() {
        return new DocumentIterator() {
            @Override
            protected String advance() {
                return null;
            }
        };
    }

    /** Documents {@code doc(i)} for the indices i in [0, count) that {@code keep} accepts, made on demand. */
    static DocumentIterator indexed(int count, IntPredicate keep, IntFunction<String> doc) {
        return new DocumentIterator() {
            private int i;

            @Override
            protected String advance() {
                while (i < count && !keep.test(i)) {
                    i++;
                }
                return i < count ? doc.apply(i++) : null;
            }
        };
    }

    /** The documents of {@code all} whose running index {@code keep} accepts. */
    static DocumentIterator filter(DocumentIterator all, IntPredicate keep) {
        return new DocumentIterator() {
            private int index;

            @Override
            protected String advance() {
                while (all.hasNext()) {
                    String document = all.next();
                    if (keep.test(index++)) {
                        return document;
                    }
                }
                return null;
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }

    /**
     * The documents of every unit (file, archive entry) in turn: {@code open} makes a unit's reader (null to skip
     * the unit), which is closed before the next one opens; {@code outer} (the archive, may be null) closes last.
     */
    static <T> DocumentIterator concat(Iterator<T> units, Function<T, DocumentIterator> open, Closeable outer) {
        return new DocumentIterator() {
            private DocumentIterator current = empty();
            private boolean closed;

            @Override
            protected String advance() {
                while (!current.hasNext()) {
                    if (!units.hasNext()) {
                        return null;
                    }
                    DocumentIterator opened = open.apply(units.next());
                    current = opened == null ? empty() : opened;
                }
                return current.next();
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                current.close();
                if (outer != null) {
                    try {
                        outer.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }
}
