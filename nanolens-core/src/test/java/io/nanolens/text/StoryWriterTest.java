package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoryWriterTest {
    @Test
    void articleBecomesAnBeforeAVowelSound() {
        assertEquals("an apple and a pear", StoryWriter.fixArticles("a apple and a pear"));
        assertEquals("An orange cat, an 8-year-old, an 11-year-old, a 12-year-old",
                StoryWriter.fixArticles("A orange cat, a 8-year-old, a 11-year-old, a 12-year-old"));
        assertEquals("an 18 and a 1", StoryWriter.fixArticles("a 18 and a 1"));
        assertEquals("Mia ate a cake", StoryWriter.fixArticles("Mia ate a cake"), "'a' inside a word is no article");
    }

    @Test
    void sayCapitalisesSentencesAndQuotationsButNotSpeechTags() {
        StoryWriter w = new StoryWriter(TinyWorldLexicon.get(), new SplittableRandom(1));
        w.set("A", "Tom");
        w.say("\"look!\" said {A}. then he ran.");
        w.say("\"wait,\" he said, \"for me.\"");
        assertEquals("\"Look!\" said Tom. Then he ran. \"Wait,\" he said, \"For me.\"", w.text());
    }

    @Test
    void choicesCoverEveryAlternativeAndNest() {
        Set<String> seen = new HashSet<>();
        StoryWriter w = new StoryWriter(TinyWorldLexicon.get(), new SplittableRandom(3));
        for (int i = 0; i < 200; i++) {
            w.paragraph();
            int before = w.text().length();
            w.say("[a|b [c|d]|e]");
            seen.add(w.text().substring(before));
        }
        assertEquals(Set.of("A", "B c", "B d", "E"), seen);
    }

    @Test
    void unknownSlotIsABug() {
        StoryWriter w = new StoryWriter(TinyWorldLexicon.get(), new SplittableRandom(1));
        assertThrows(IllegalStateException.class, () -> w.say("{nobody}"));
        w.say("{colour} {num}");
        assertTrue(TinyWorld.label(w.text()).mask("colour").cardinality() > 0);
    }
}
