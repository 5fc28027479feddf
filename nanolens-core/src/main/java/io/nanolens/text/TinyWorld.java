package io.nanolens.text;

import io.nanolens.NanolensException;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * TinyWorld, the built-in synthetic corpus: short children's stories in plain ASCII English (seven plots; named
 * children and animals, colours, numbers 1–20 as words and digits, places, feelings, negation, dialogue in double
 * quotes, simple past tense; 60–200 words each), with exact ground-truth concept labels for every character. It
 * is the start of the data walk (corpus → tokens → activations → SAE → report) when no real corpus is at hand, and
 * the labels let later stages score SAE features against known concepts. Inspired by TinyStories (Eldan and Li,
 * 2023, arXiv:2305.07759), but generated from templates so the concepts are known exactly.
 *
 * <p>Story {@code i} depends only on the seed and {@code i} (its own {@link SplittableRandom}), so any story can be
 * generated alone, in any order, and a document-index split is deterministic. A story's labels come from the word
 * lists alone ({@link #label}); {@link #words} returns them.
 */
public final class TinyWorld {
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_STORIES = 200_000;

    private final long seed;
    private final int stories;

    /**
     * A world of {@code stories} stories (indices 0 to stories - 1) drawn with {@code seed}.
     *
     * @throws NanolensException if {@code stories < 1}
     */
    public TinyWorld(long seed, int stories) {
        if (stories < 1) {
            throw new NanolensException("TinyWorld needs at least 1 story, got " + stories);
        }
        this.seed = seed;
        this.stories = stories;
    }

    /** The default world: seed {@value #DEFAULT_SEED}, {@value #DEFAULT_STORIES} stories. */
    public TinyWorld() {
        this(DEFAULT_SEED, DEFAULT_STORIES);
    }

    public long seed() {
        return seed;
    }

    public int stories() {
        return stories;
    }

    /** Story {@code index}; the same seed and index always give the same text. */
    public String story(int index) {
        if (index < 0 || index >= stories) {
            throw new IndexOutOfBoundsException("story " + index + " of " + stories);
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, index));
        TinyWorldLexicon lex = TinyWorldLexicon.get();
        StoryWriter writer = new StoryWriter(lex, rng);
        StoryPlots.write(rng.nextInt(StoryPlots.COUNT), writer, lex);
        return writer.text();
    }

    /** Story {@code index} with its per-character concept labels. */
    public LabelledText labelled(int index) {
        return label(story(index));
    }

    /** All stories in index order, generated lazily: nothing is held in memory. */
    public Stream<String> documents() {
        return IntStream.range(0, stories).mapToObj(this::story);
    }

    /** A re-openable source string for {@link Corpus#open}: {@code tinyworld:SEED:STORIES}. */
    public String source() {
        return "tinyworld:" + seed + ":" + stories;
    }

    /**
     * The concept names, in label bit order: name, animal, colour, number, place, emotion, negation,
     * past_tense_verb, inside_quote.
     */
    public static List<String> concepts() {
        return TinyWorldLexicon.CONCEPTS;
    }

    /**
     * The lower-case words of one concept (empty for {@code inside_quote}, which is defined by quote marks).
     *
     * @throws NanolensException for a name not in {@link #concepts()}
     */
    public static Set<String> words(String concept) {
        int c = concepts().indexOf(concept);
        if (c < 0) {
            throw new NanolensException("unknown concept '" + concept + "': choose one of " + concepts());
        }
        return TinyWorldLexicon.get().words(c);
    }

    /**
     * Labels any text with the TinyWorld concepts: a listed word (any case; a possessive marks its stem) labels its
     * characters, and the characters between two ASCII double quotes are {@code inside_quote} (quote marks
     * excluded; an unclosed quote runs to the end). Useful for model samples and prompts as well as stories.
     */
    public static LabelledText label(String text) {
        return TinyWorldLexicon.get().label(text);
    }

    /** SplitMix64's finaliser over seed and index: neighbouring indices get unrelated generator seeds. */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
