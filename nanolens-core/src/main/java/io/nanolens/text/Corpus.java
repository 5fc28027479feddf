package io.nanolens.text;

import io.nanolens.NanolensException;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A text corpus as a re-iterable stream of documents: the first stage of the data walk (corpus → tokens →
 * activations → SAE → report), and the one meaning of {@code --corpus SRC} in every command. {@link #open} reads
 * <ul>
 * <li>{@code tinyworld}, {@code tinyworld:SEED} or {@code tinyworld:SEED:STORIES}: the built-in {@link TinyWorld}
 * stories (default seed {@value TinyWorld#DEFAULT_SEED}, {@value TinyWorld#DEFAULT_STORIES} stories); the word
 * wins over a file of that name, write {@code ./tinyworld} for the file;</li>
 * <li>a {@code .jsonl} file: one document per line, the string field {@code text} of a JSON object;</li>
 * <li>a {@code .zip} file: every text entry (for instance the JDK's {@code lib/src.zip});</li>
 * <li>a directory: every text file below it, recursively, in sorted path order;</li>
 * <li>any other file: UTF-8 text.</li>
 * </ul>
 * A text file or entry is one document, or pieces of at most {@value #MAX_DOCUMENT_CHARS} characters cut at line
 * breaks when it is longer; hidden and binary files are skipped and blank documents dropped.
 * Documents stream: {@link #documents()} reads lazily with at most one file open, starts over on every call and
 * closes its files when the stream is closed. Every corpus has at least one document, checked when it is made.
 *
 * <p>{@link #training()} and {@link #validation()} hold out every {@value #VALIDATION_EVERY}th document by index
 * (indices {@code 99, 199, ...}), deterministic for a given source.
 */
public final class Corpus {
    /** Longest document from a text file: 1 Mi characters keeps memory bounded, longer than any sane context. */
    public static final int MAX_DOCUMENT_CHARS = 1 << 20;
    /** Default hold-out interval of {@link #training()} and {@link #validation()}. */
    public static final int VALIDATION_EVERY = 100;

    /** Which side of a document-index split a corpus holds. */
    public enum Part {
        /** Documents whose index i has {@code i % every != every - 1}. */
        TRAINING,
        /** Documents whose index i has {@code i % every == every - 1}. */
        VALIDATION
    }

    private static final String SYNTAX = "pass tinyworld[:SEED[:STORIES]], a .jsonl, .zip or text file, or a directory";

    /** Documents made on demand by index (no file to read, so a split skips without making them). */
    private record Indexed(IntFunction<String> document, int count) {
    }

    private final String source;
    private final String kind;
    private final Supplier<DocumentIterator> reader; // null for an indexed corpus
    private final Indexed indexed; // null for a streamed corpus
    private final Split split; // null for the whole corpus

    /** One side of a split at interval {@code every}. */
    private record Split(Part part, int every) {
        boolean keeps(int index) {
            return (index % every == every - 1) == (part == Part.VALIDATION);
        }
    }

    private Corpus(String source, String kind, Supplier<DocumentIterator> reader, Indexed indexed, Split split) {
        this.source = source;
        this.kind = kind;
        this.reader = reader;
        this.indexed = indexed;
        this.split = split;
    }

    /**
     * Opens {@code src} (see the class comment for the forms) and checks that it holds a document.
     *
     * @throws NanolensException for a malformed tinyworld spec, a missing path, a non-text file or no documents
     */
    public static Corpus open(String src) {
        if (src == null || src.isBlank()) {
            throw new NanolensException("the corpus is empty: " + SYNTAX);
        }
        if (src.equals("tinyworld") || src.startsWith("tinyworld:")) {
            return of(parseTinyWorld(src));
        }
        Path path;
        try {
            path = Path.of(src).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new NanolensException("corpus path '" + src + "' is not a valid path: " + SYNTAX);
        }
        if (!Files.exists(path)) {
            throw new NanolensException("corpus not found: " + path + " (" + SYNTAX + ")");
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        int max = MAX_DOCUMENT_CHARS;
        Corpus corpus;
        if (Files.isDirectory(path)) {
            corpus = streamed(path.toString(), "directory of text files", () -> CorpusFiles.directory(path, max));
        } else if (name.endsWith(".jsonl")) {
            corpus = streamed(path.toString(), "JSON lines, field \"text\"", () -> new JsonlDocuments(path));
        } else if (name.endsWith(".zip")) {
            corpus = streamed(path.toString(), "zip archive of text files", () -> CorpusFiles.zip(path, max));
        } else {
            corpus = streamed(path.toString(), "text file", () -> CorpusFiles.textFile(path, max));
        }
        return corpus.requireDocuments();
    }

    /** The stories of {@code world}, made on demand. */
    public static Corpus of(TinyWorld world) {
        return new Corpus(world.source(), "TinyWorld stories", null, new Indexed(world::story, world.stories()),
                null);
    }

    /**
     * An in-memory corpus (tests, prompts); {@code name} is its source in provenance.
     *
     * @throws NanolensException if {@code documents} is empty
     */
    public static Corpus of(String name, List<String> documents) {
        List<String> copy = List.copyOf(documents);
        return new Corpus(name, "in-memory documents", null, new Indexed(copy::get, copy.size()), null)
                .requireDocuments();
    }

    /** The documents in order, read lazily; close the stream (try-with-resources) to release open files. */
    public Stream<String> documents() {
        return iterator().stream();
    }

    /** The source string this corpus was made from; for files the absolute path, re-openable with {@link #open}. */
    public String source() {
        return source;
    }

    /** Source, kind and part, for logs and provenance: {@code /data/web.jsonl (JSON lines, ...), training part ...}. */
    public String description() {
        String text = source + " (" + kind + ")";
        if (split == null) {
            return text;
        }
        String nth = ordinal(split.every()) + " document";
        return text + (split.part() == Part.TRAINING ? ", training part: all but every " + nth
                : ", validation part: every " + nth);
    }

    /** The part this corpus holds, or null for a whole corpus. */
    public Part part() {
        return split == null ? null : split.part();
    }

    /** All documents but every {@value #VALIDATION_EVERY}th. */
    public Corpus training() {
        return split(Part.TRAINING, VALIDATION_EVERY);
    }

    /** Every {@value #VALIDATION_EVERY}th document (indices 99, 199, ...). */
    public Corpus validation() {
        return split(Part.VALIDATION, VALIDATION_EVERY);
    }

    /**
     * One side of the split that puts document i in the validation part when {@code i % every == every - 1}.
     *
     * @throws NanolensException if {@code every < 2} or the part has no documents
     */
    public Corpus split(Part side, int every) {
        if (split != null) {
            throw new IllegalStateException("corpus " + description() + " is already a split part");
        }
        if (every < 2) {
            throw new NanolensException("the validation interval must be at least 2 documents, got " + every);
        }
        return new Corpus(source, kind, reader, indexed, new Split(side, every)).requireDocuments();
    }

    private static Corpus streamed(String source, String kind, Supplier<DocumentIterator> reader) {
        return new Corpus(source, kind, reader, null, null);
    }

    private DocumentIterator iterator() {
        IntPredicate keep = split == null ? i -> true : split::keeps;
        if (indexed != null) {
            return DocumentIterator.indexed(indexed.count(), keep, indexed.document());
        }
        return split == null ? reader.get() : DocumentIterator.filter(reader.get(), keep);
    }

    private Corpus requireDocuments() {
        try (DocumentIterator documents = iterator()) {
            if (documents.hasNext()) {
                return this;
            }
        }
        if (split != null && split.part() == Part.VALIDATION) {
            throw new NanolensException("corpus " + source + " has no validation documents: it has fewer than "
                    + split.every() + " documents, and every " + ordinal(split.every())
                    + " one is held out; use a larger corpus");
        }
        throw new NanolensException("corpus " + source + " (" + kind + ") has no documents: it holds no non-blank "
                + "text; " + SYNTAX);
    }

    private static TinyWorld parseTinyWorld(String src) {
        String[] parts = src.split(":", -1);
        try {
            if (parts.length > 3) {
                throw new NumberFormatException();
            }
            long seed = parts.length > 1 ? Long.parseLong(parts[1]) : TinyWorld.DEFAULT_SEED;
            int stories = parts.length > 2 ? Integer.parseInt(parts[2]) : TinyWorld.DEFAULT_STORIES;
            if (stories < 1) {
                throw new NumberFormatException();
            }
            return new TinyWorld(seed, stories);
        } catch (NumberFormatException e) {
            throw new NanolensException("bad corpus '" + src + "': write tinyworld, tinyworld:SEED or "
                    + "tinyworld:SEED:STORIES with a whole-number seed and 1 to " + Integer.MAX_VALUE + " stories");
        }
    }

    private static String ordinal(int n) {
        int tens = n % 100;
        String suffix = tens >= 11 && tens <= 13 ? "th"
                : switch (n % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return n + suffix;
    }
}
