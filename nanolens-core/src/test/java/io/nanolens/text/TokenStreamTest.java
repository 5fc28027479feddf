package io.nanolens.text;

import io.nanolens.NanolensException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenStreamTest {
    private static final List<String> DOCUMENTS = List.of("the red fox", "", "ran up the hill", "a", "blue bird sang");
    private static final Tokenizer TOKENIZER = Bpe.train(DOCUMENTS, 270);

    /** Naive reference: every document as BOS + its ids, concatenated. */
    private static int[] concatenated() {
        List<Integer> all = new ArrayList<>();
        for (String d : DOCUMENTS) {
            all.add(TOKENIZER.bosId());
            for (int id : TOKENIZER.encode(d)) {
                all.add(id);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void fillsInPiecesOfAnySizeGiveTheConcatenatedDocumentsThenStop() {
        int[] expected = concatenated();
        SplittableRandom random = new SplittableRandom(4);
        for (int trial = 0; trial < 20; trial++) {
            int[] got = new int[expected.length];
            int at = 0;
            try (TokenStream stream = new TokenStream(Corpus.of("test", DOCUMENTS), TOKENIZER, StreamStart.BEGINNING)) {
                while (at < expected.length) {
                    int n = Math.min(1 + random.nextInt(7), expected.length - at);
                    assertTrue(stream.fill(got, at, n));
                    at += n;
                }
                assertArrayEquals(expected, got);
                assertEquals(-1, stream.peek());
                assertFalse(stream.fill(new int[1], 0, 1));
            }
        }
    }

    @Test
    void aStartSkipsIntoTheFirstDocumentAndPeekAndSkipWalkOneIdAtATime() {
        int[] expected = concatenated();
        int skip = 2;
        try (TokenStream stream = new TokenStream(Corpus.of("test", DOCUMENTS), TOKENIZER, new StreamStart(skip, skip))) {
            for (int i = skip; i < expected.length; i++) {
                assertEquals(expected[i], stream.peek(), "id " + i);
                stream.skip();
            }
            assertEquals(-1, stream.peek());
        }
        StreamStart pastTheDocument = new StreamStart(100, 100);
        try (TokenStream stream = new TokenStream(Corpus.of("test", DOCUMENTS), TOKENIZER, pastTheDocument)) {
            assertThrows(NanolensException.class, stream::peek);
        }
    }
}
