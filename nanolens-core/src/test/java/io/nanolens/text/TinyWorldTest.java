package io.nanolens.text;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TinyWorldTest {
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9]+(?:'[A-Za-z]+)?");
    private static final Pattern A_BEFORE_VOWEL = Pattern.compile("\\b[Aa] [aeiouAEIOU8]");
    private static final Pattern LOWER_CASE_START = Pattern.compile("[.!?] [a-z]");
    private static final int STORIES = 1000;
    private static final TinyWorld WORLD = new TinyWorld(7, 100_000);
    /** Stories 0..999 of {@link #WORLD}, made once for all tests. */
    private static final List<LabelledText> SAMPLE = IntStream.range(0, STORIES).mapToObj(WORLD::labelled).toList();

    /** Concept → lower-case words, read from the resource lists by a parser of its own. */
    private static Map<String, Set<String>> referenceLexicon() throws IOException {
        Map<String, Set<String>> lex = new HashMap<>();
        put(lex, "name", "names.txt", 1);
        put(lex, "animal", "animals.txt", 2);
        put(lex, "colour", "colours.txt", 1);
        put(lex, "number", "numbers.txt", 2);
        put(lex, "place", "places.txt", 1);
        put(lex, "emotion", "emotions.txt", 1);
        put(lex, "negation", "negations.txt", 1);
        put(lex, "past_tense_verb", "moves.txt", 1);
        put(lex, "past_tense_verb", "past_tense.txt", 1);
        Set<String> all = new HashSet<>();
        lex.values().forEach(all::addAll);
        lex.put("all", all);
        return lex;
    }

    private static void put(Map<String, Set<String>> lex, String concept, String file, int columns) throws IOException {
        try (InputStream in = TinyWorldTest.class.getResourceAsStream("/io/nanolens/text/tinyworld/" + file)) {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" +");
                for (int c = 0; c < columns; c++) {
                    lex.computeIfAbsent(concept, k -> new HashSet<>()).add(f[c].toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    /** Expected mask of {@code concept} over {@code text}, computed from regex words and quote pairs. */
    private static boolean[] expected(String text, String concept, Map<String, Set<String>> lex) {
        boolean[] mask = new boolean[text.length()];
        if (concept.equals("inside_quote")) {
            List<Integer> quotes = new ArrayList<>();
            for (int i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
                quotes.add(i);
            }
            assertEquals(0, quotes.size() % 2, "unbalanced quotes in: " + text);
            for (int q = 0; q < quotes.size(); q += 2) {
                for (int i = quotes.get(q) + 1; i < quotes.get(q + 1); i++) {
                    mask[i] = true;
                }
            }
            return mask;
        }
        Set<String> words = lex.get(concept);
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String whole = m.group().toLowerCase(Locale.ROOT);
            String w = whole;
            int end = m.end();
            boolean listed = lex.get("all").contains(whole);
            if (!listed && w.contains("'")) {
                w = w.substring(0, w.indexOf('\''));
                end = m.start() + w.length();
            }
            if (words.contains(w)) {
                for (int i = m.start(); i < end; i++) {
                    mask[i] = true;
                }
            }
        }
        return mask;
    }

    @Test
    void sameSeedGivesSameStoriesAndDifferentSeedsDiffer() {
        TinyWorld again = new TinyWorld(7, 100_000);
        TinyWorld other = new TinyWorld(8, 100_000);
        int same = 0;
        for (int i = 0; i < 200; i++) {
            assertEquals(WORLD.story(i), again.story(i));
            same += WORLD.story(i).equals(other.story(i)) ? 1 : 0;
        }
        assertEquals(0, same, "stories shared between seeds 7 and 8");
    }

    @Test
    void storyDependsOnlyOnSeedAndIndexNotOnOrderOrWorldSize() {
        String late = WORLD.story(99_999);
        String early = WORLD.story(3);
        assertEquals(early, new TinyWorld(7, 4).story(3));
        assertEquals(late, WORLD.story(99_999));
        assertEquals(WORLD.story(5), WORLD.documents().skip(5).findFirst().orElseThrow());
    }

    @Test
    void labelsMatchAnIndependentWordListReferenceExactly() throws IOException {
        Map<String, Set<String>> lex = referenceLexicon();
        for (int s = 0; s < 300; s++) {
            LabelledText t = SAMPLE.get(s);
            assertEquals(WORLD.story(s), t.text());
            assertEquals(TinyWorld.concepts(), t.concepts());
            for (String concept : TinyWorld.concepts()) {
                boolean[] want = expected(t.text(), concept, lex);
                for (int i = 0; i < want.length; i++) {
                    if (want[i] != t.has(i, concept)) {
                        int from = Math.max(0, i - 20);
                        fail("story " + s + " char " + i + " concept " + concept + " expected " + want[i] + " near '"
                                + t.text().substring(from, Math.min(t.text().length(), i + 20)) + "'");
                    }
                }
            }
        }
    }

    @Test
    void everyLabelledSpanIsOneWordOfItsConcept() throws IOException {
        Map<String, Set<String>> lex = referenceLexicon();
        for (int s = 0; s < 300; s++) {
            LabelledText t = SAMPLE.get(s);
            for (String concept : TinyWorld.concepts()) {
                for (LabelledText.Span span : t.spans(concept)) {
                    String text = t.text().substring(span.start(), span.end());
                    if (concept.equals("inside_quote")) {
                        assertEquals('"', t.text().charAt(span.start() - 1));
                        assertEquals('"', t.text().charAt(span.end()));
                        assertTrue(text.indexOf('"') < 0, text);
                    } else {
                        assertTrue(lex.get(concept).contains(text.toLowerCase(Locale.ROOT)),
                                "'" + text + "' labelled " + concept + " in story " + s);
                        assertTrue(TinyWorld.words(concept).contains(text.toLowerCase(Locale.ROOT)));
                    }
                }
            }
        }
    }

    @Test
    void notAndNeverCarryNegationWhereverTheyStand() {
        int seen = 0;
        for (int s = 0; s < STORIES; s++) {
            LabelledText t = SAMPLE.get(s);
            Matcher m = Pattern.compile("\\b([Nn]ot|[Nn]ever)\\b").matcher(t.text());
            while (m.find()) {
                seen++;
                for (int i = m.start(); i < m.end(); i++) {
                    assertTrue(t.has(i, "negation"), "'" + m.group() + "' in story " + s);
                }
                assertTrue(m.start() == 0 || !t.has(m.start() - 1, "negation"));
                assertTrue(m.end() == t.text().length() || !t.has(m.end(), "negation"));
            }
        }
        assertTrue(seen > STORIES, "only " + seen + " negations in " + STORIES + " stories");
    }

    @Test
    void regularPastTenseVerbsAreAllLabelled() throws IOException {
        Set<String> adjectives = new HashSet<>(referenceLexicon().get("emotion"));
        adjectives.addAll(Set.of("red", "bed"));
        for (int s = 0; s < STORIES; s++) {
            LabelledText t = SAMPLE.get(s);
            Matcher m = WORD.matcher(t.text());
            while (m.find()) {
                String w = m.group().toLowerCase(Locale.ROOT);
                if (w.endsWith("ed") && !adjectives.contains(w)) {
                    assertTrue(t.has(m.start(), "past_tense_verb"), "'" + w + "' unlabelled in story " + s);
                }
            }
        }
    }

    @Test
    void everyStoryHasEveryConcept() {
        for (int s = 0; s < STORIES; s++) {
            LabelledText t = SAMPLE.get(s);
            for (String concept : TinyWorld.concepts()) {
                assertTrue(t.mask(concept).cardinality() > 0, "story " + s + " lacks " + concept + ": " + t.text());
            }
        }
    }

    @Test
    void storiesArePlainAsciiSentencesOfSixtyToTwoHundredWords() {
        for (int s = 0; s < STORIES; s++) {
            String text = SAMPLE.get(s).text();
            for (char c : text.toCharArray()) {
                assertTrue(c == '\n' || (c >= 32 && c < 127), "non-ASCII " + (int) c + " in story " + s);
            }
            assertTrue(Character.isUpperCase(text.charAt(0)), text);
            assertTrue(text.endsWith(".") || text.endsWith("\"") || text.endsWith("!"), text);
            assertTrue(!text.contains("  ") && !text.contains(" .") && !text.contains(" ,"), text);
            assertTrue(!A_BEFORE_VOWEL.matcher(text).find(), "'a' before a vowel: " + text);
            assertTrue(!LOWER_CASE_START.matcher(text).find(), "lower-case sentence start: " + text);
            long words = WORD.matcher(text).results().count();
            assertTrue(words >= 60 && words <= 200, words + " words in story " + s);
        }
    }

    @Test
    void storiesVaryAndUseTheWholeVocabulary() throws IOException {
        Set<String> texts = new HashSet<>();
        Set<String> vocabulary = new HashSet<>();
        Map<String, Set<String>> seen = new HashMap<>();
        for (int s = 0; s < STORIES; s++) {
            LabelledText t = SAMPLE.get(s);
            texts.add(t.text());
            Matcher m = WORD.matcher(t.text());
            while (m.find()) {
                String w = m.group().toLowerCase(Locale.ROOT);
                vocabulary.add(w);
                for (String concept : TinyWorld.concepts()) {
                    if (t.has(m.start(), concept) && !concept.equals("inside_quote")) {
                        seen.computeIfAbsent(concept, k -> new HashSet<>()).add(w);
                    }
                }
            }
        }
        assertEquals(STORIES, texts.size(), "repeated stories");
        assertTrue(vocabulary.size() >= 700, "vocabulary " + vocabulary.size());
        Map<String, Set<String>> lex = referenceLexicon();
        assertEquals(lex.get("colour"), seen.get("colour"));
        assertEquals(lex.get("number"), seen.get("number"), "numbers 1-20 as digits and words");
        assertTrue(seen.get("name").size() >= 70, "names " + seen.get("name").size());
        assertTrue(seen.get("animal").size() >= 80, "animal forms " + seen.get("animal").size());
        assertTrue(seen.get("place").size() >= 30, "places " + seen.get("place").size());
        assertTrue(seen.get("emotion").size() >= 25, "emotions " + seen.get("emotion").size());
        assertTrue(seen.get("past_tense_verb").size() >= 60, "verbs " + seen.get("past_tense_verb").size());
    }

    @Test
    void unknownConceptIsAUserError() {
        assertNotEquals(0, TinyWorld.words("animal").size());
        assertTrue(TinyWorld.words("inside_quote").isEmpty());
        NanolensException e = assertThrows(NanolensException.class, () -> TinyWorld.words("colours"));
        assertTrue(e.getMessage().contains("colours"), e.getMessage());
    }
}
