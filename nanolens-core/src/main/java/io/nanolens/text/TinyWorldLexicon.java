package io.nanolens.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The TinyWorld vocabulary, read once from the word lists under {@code resources/io/nanolens/text/tinyworld/}, and
 * the labeller that turns any text into a {@link LabelledText}. Labels come from the word lists alone: a word
 * (letters and digits, optionally with one apostrophe suffix such as {@code don't}) that is in a concept's list
 * marks all its characters, wherever it stands; a possessive ({@code Pip's}) marks its stem. The story templates
 * never use a listed word in another sense, which is what makes the labels exact. Lists are disjoint: a word
 * belongs to at most one concept.
 */
final class TinyWorldLexicon {
    static final List<String> CONCEPTS = List.of("name", "animal", "colour", "number", "place", "emotion",
            "negation", "past_tense_verb", "inside_quote");
    static final int INSIDE_QUOTE = CONCEPTS.indexOf("inside_quote");

    record Person(String name, boolean female) {
    }

    record Noun(String singular, String plural) {
    }

    record Place(String word, String preposition, boolean outdoor) {
    }

    final List<Person> children = new ArrayList<>();
    final List<Person> pets = new ArrayList<>();
    final List<Noun> animals = new ArrayList<>();
    final List<Noun> objects = new ArrayList<>();
    final List<String> colours = new ArrayList<>();
    final List<Place> places = new ArrayList<>();
    final List<Place> outdoorPlaces = new ArrayList<>();
    final List<String> joys = new ArrayList<>();
    final List<String> woes = new ArrayList<>();
    final List<String> moves = new ArrayList<>();
    final String[] numberWords = new String[21]; // index = value, 1..20
    private final Map<String, Integer> conceptBits = new HashMap<>(); // lower-case word -> concept mask
    private final List<Set<String>> words = new ArrayList<>(); // per concept, lower-case

    private static final class Holder {
        static final TinyWorldLexicon INSTANCE = new TinyWorldLexicon();
    }

    static TinyWorldLexicon get() {
        return Holder.INSTANCE;
    }

    private TinyWorldLexicon() {
        for (int c = 0; c < CONCEPTS.size(); c++) {
            words.add(new LinkedHashSet<>());
        }
        readCharacters();
        readThings();
        readConceptWords();
    }

    private void readCharacters() {
        for (String[] f : read("names.txt", 3)) {
            Person p = new Person(f[0], f[1].equals("f"));
            (f[2].equals("pet") ? pets : children).add(p);
            add("name", f[0]);
        }
        for (String[] f : read("animals.txt", 2)) {
            animals.add(new Noun(f[0], f[1]));
            add("animal", f[0]);
            add("animal", f[1]);
        }
    }

    private void readThings() {
        for (String[] f : read("colours.txt", 1)) {
            colours.add(f[0]);
            add("colour", f[0]);
        }
        for (String[] f : read("numbers.txt", 2)) {
            numberWords[Integer.parseInt(f[0])] = f[1];
            add("number", f[0]);
            add("number", f[1]);
        }
        for (String[] f : read("places.txt", 3)) {
            Place p = new Place(f[0], f[1], f[2].equals("out"));
            places.add(p);
            if (p.outdoor()) {
                outdoorPlaces.add(p);
            }
            add("place", f[0]);
        }
    }

    /** Feelings, negations and verbs, then the objects, which must belong to no concept. */
    private void readConceptWords() {
        for (String[] f : read("emotions.txt", 2)) {
            (f[1].equals("+") ? joys : woes).add(f[0]);
            add("emotion", f[0]);
        }
        for (String[] f : read("negations.txt", 1)) {
            add("negation", f[0]);
        }
        for (String[] f : read("moves.txt", 1)) {
            moves.add(f[0]);
            add("past_tense_verb", f[0]);
        }
        for (String[] f : read("past_tense.txt", 1)) {
            add("past_tense_verb", f[0]);
        }
        for (String[] f : read("objects.txt", 2)) {
            objects.add(new Noun(f[0], f[1]));
            requireUnlabelled(f[0]);
            requireUnlabelled(f[1]);
        }
    }

    /** The words of one concept, lower-case, in list order; empty for {@code inside_quote}. */
    Set<String> words(int concept) {
        return Collections.unmodifiableSet(words.get(concept));
    }

    /** The concept mask of one word (any case); 0 when it belongs to no concept. */
    int bitsOf(String word) {
        return conceptBits.getOrDefault(word.toLowerCase(Locale.ROOT), 0);
    }

    /**
     * Labels {@code text}: listed words mark their characters, and characters between a pair of ASCII double
     * quotes (quote marks excluded) are {@code inside_quote}; an unclosed quote runs to the end of the text.
     */
    LabelledText label(String text) {
        int[] bits = new int[text.length()];
        int i = 0;
        while (i < text.length()) {
            if (!isWordChar(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && isWordChar(text.charAt(i))) {
                i++;
            }
            int stemEnd = i;
            if (i + 1 < text.length() && text.charAt(i) == '\'' && isLetter(text.charAt(i + 1))) {
                i += 2;
                while (i < text.length() && isLetter(text.charAt(i))) {
                    i++;
                }
            }
            int whole = bitsOf(text.substring(start, i));
            int end = whole != 0 ? i : stemEnd;
            int mask = whole != 0 ? whole : bitsOf(text.substring(start, stemEnd));
            for (int j = start; j < end; j++) {
                bits[j] |= mask;
            }
        }
        markQuotes(text, bits);
        return new LabelledText(text, CONCEPTS, bits);
    }

    private static void markQuotes(String text, int[] bits) {
        int open = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '"') {
                continue;
            }
            if (open < 0) {
                open = i;
            } else {
                setQuote(bits, open + 1, i);
                open = -1;
            }
        }
        if (open >= 0) {
            setQuote(bits, open + 1, text.length());
        }
    }

    private static void setQuote(int[] bits, int from, int to) {
        for (int j = from; j < to; j++) {
            bits[j] |= 1 << INSIDE_QUOTE;
        }
    }

    static boolean isWordChar(char c) {
        return isLetter(c) || (c >= '0' && c <= '9');
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private void add(String concept, String word) {
        String key = word.toLowerCase(Locale.ROOT);
        int bit = 1 << CONCEPTS.indexOf(concept);
        int old = conceptBits.getOrDefault(key, 0);
        if (old != 0 && old != bit) {
            throw new IllegalStateException("TinyWorld word '" + word + "' is listed under two concepts");
        }
        conceptBits.put(key, bit);
        words.get(CONCEPTS.indexOf(concept)).add(key);
    }

    private void requireUnlabelled(String word) {
        if (bitsOf(word) != 0) {
            throw new IllegalStateException("TinyWorld object '" + word + "' is also a concept word");
        }
    }

    private static List<String[]> read(String file, int fields) {
        String resource = "tinyworld/" + file;
        try (InputStream in = TinyWorldLexicon.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/nanolens/text/" + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] f = trimmed.split("\\s+");
                if (f.length != fields) {
                    throw new IllegalStateException(resource + ": expected " + fields + " fields in '" + line + "'");
                }
                rows.add(f);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
