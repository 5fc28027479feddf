package io.nanolens.text;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelledTextTest {
    /** The substrings of {@code t} labelled {@code concept}, read off its spans. */
    private static List<String> spans(LabelledText t, String concept) {
        return t.spans(concept).stream().map(s -> t.text().substring(s.start(), s.end())).toList();
    }

    @Test
    void labelMarksListedWordsInAnyCaseAndOnlyThem() {
        LabelledText t = TinyWorld.label("Three red foxes ran to the Park. Fred was not sad, he never cried.");
        assertEquals(List.of("Three"), spans(t, "number"));
        assertEquals(List.of("red"), spans(t, "colour"));
        assertEquals(List.of("foxes"), spans(t, "animal"));
        assertEquals(List.of("Park"), spans(t, "place"));
        assertEquals(List.of("not", "never"), spans(t, "negation"));
        assertEquals(List.of("sad"), spans(t, "emotion"));
        assertEquals(List.of("ran", "was", "cried"), spans(t, "past_tense_verb"));
        assertEquals(List.of(), spans(t, "name"), "Fred contains 'red' but is not a listed word");
    }

    @Test
    void possessiveMarksItsStemAndContractionsAreWholeWords() {
        LabelledText t = TinyWorld.label("Pip's 7 cats' hats. I don't know, I can't.");
        assertEquals(List.of("Pip"), spans(t, "name"));
        assertEquals(List.of("7"), spans(t, "number"));
        assertEquals(List.of("cats"), spans(t, "animal"));
        assertEquals(List.of("don't", "can't"), spans(t, "negation"));
    }

    @Test
    void insideQuoteCoversTheCharactersBetweenQuoteMarksOnly() {
        String text = "\"Hi, Tom!\" said Mia. \"Look\" and \"run";
        LabelledText t = TinyWorld.label(text);
        assertEquals(List.of("Hi, Tom!", "Look", "run"), spans(t, "inside_quote"));
        assertFalse(t.has(0, "inside_quote"));
        assertTrue(t.has(5, "name") && t.has(5, "inside_quote"));
        int both = (1 << t.conceptIndex("name")) | (1 << t.conceptIndex("inside_quote"));
        assertEquals(both, t.bitsAt(5));
        assertEquals(both, t.bitsBetween(3, 9), "a token over ' Tom!' carries both concepts");
        assertEquals(0, t.bitsBetween(9, 11), "closing quote and space");
        assertEquals(1 << t.conceptIndex("past_tense_verb"), t.bitsBetween(9, 16));
    }

    @Test
    void maskAndSpansAgree() {
        LabelledText t = TinyWorld.label("blue, green and pink hats");
        assertEquals(3, t.spans("colour").size());
        assertEquals(4 + 5 + 4, t.mask("colour").cardinality());
        assertEquals(0, t.mask("colour").nextSetBit(0));
        assertEquals(4, t.mask("colour").nextClearBit(0));
    }

    @Test
    void recordCopiesItsMasksAndComparesByValue() {
        int[] bits = {1, 0, 2};
        LabelledText a = new LabelledText("abc", List.of("x", "y"), bits);
        bits[0] = 2;
        assertEquals(1, a.bitsAt(0), "constructor copies");
        a.bits()[1] = 7;
        assertEquals(0, a.bitsAt(1), "accessor copies");
        assertEquals(a, new LabelledText("abc", List.of("x", "y"), new int[]{1, 0, 2}));
        assertEquals(a.hashCode(), new LabelledText("abc", List.of("x", "y"), new int[]{1, 0, 2}).hashCode());
        assertNotEquals(a, new LabelledText("abc", List.of("x", "y"), new int[]{1, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> new LabelledText("ab", List.of("x"), new int[3]));
        assertThrows(NanolensException.class, () -> a.has(0, "z"));
    }
}
