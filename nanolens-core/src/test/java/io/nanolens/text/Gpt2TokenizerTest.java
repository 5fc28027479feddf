package io.nanolens.text;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2TokenizerTest {
    private final Gpt2Tokenizer gpt2 = new Gpt2Tokenizer();

    @Test
    void helloWorldHasGpt2sIds() {
        // tiktoken.get_encoding("r50k_base").encode("Hello world") == [15496, 995]
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertEquals(" world", gpt2.tokenString(995));
        assertEquals("Hello", gpt2.decode(new int[] {15496}));
    }

    @Test
    void endOfTextIsBosAndTheLastId() {
        assertEquals(50256, gpt2.bosId());
        assertEquals(50257, gpt2.vocabSize());
        assertEquals("<|endoftext|>", gpt2.decode(new int[] {50256}));
        int[] ids = gpt2.encode("<|endoftext|>");
        assertTrue(ids.length > 1 && Arrays.stream(ids).noneMatch(id -> id == 50256));
    }

    @Test
    void awkwardAndRandomStringsRoundTrip() {
        for (String text : TextSamples.AWKWARD) {
            assertEquals(text, gpt2.decode(gpt2.encode(text)));
        }
        Random random = new Random(8);
        for (int i = 0; i < 200; i++) {
            String text = TextSamples.random(random, random.nextInt(200));
            assertEquals(text, gpt2.decode(gpt2.encode(text)));
        }
    }

    @Test
    void unpairedSurrogateBecomesReplacementCharacter() {
        assertEquals("a\uFFFDb", gpt2.decode(gpt2.encode("a\uD800b")));
    }

    @Test
    void partialCharactersAreShownAsByteEscapes() {
        int[] ids = gpt2.encode("😀");
        assertTrue(ids.length > 1);
        assertTrue(gpt2.tokenString(ids[0]).startsWith("\\xF0"), gpt2.tokenString(ids[0]));
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        assertThrows(NanolensException.class, () -> gpt2.decode(new int[] {50257}));
        assertThrows(NanolensException.class, () -> gpt2.tokenString(-3));
    }
}
