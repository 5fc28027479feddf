package io.nanolens.train;

import io.nanolens.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenBatchesTest {
    private static final List<String> DOCS = List.of("Tom saw a red dog.", "It ran.", "",
            "Mia had 3 blue cats and they sat.", "The end.");
    private static final Supplier<Stream<String>> SOURCE = DOCS::stream;

    /** The stream written out: each document's ids after a BOS, documents end to end, repeated. */
    private static List<Integer> expectedStream(Tokenizer tokenizer, int length) {
        List<Integer> all = new ArrayList<>();
        while (all.size() < length) {
            for (String doc : DOCS) {
                all.add(tokenizer.bosId());
                for (int id : tokenizer.encode(doc)) {
                    all.add(id);
                }
            }
        }
        return all;
    }

    @Test
    void rowsAreConsecutiveWindowsOfTheBosSeparatedStreamAcrossEpochs() {
        Tokenizer tokenizer = TrainFixtures.tokenizer();
        int b = 3;
        int t = 7;
        List<Integer> stream = expectedStream(tokenizer, 10 * b * (t + 1));
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        try (TokenBatches batches = new TokenBatches(SOURCE, tokenizer, b, t)) {
            int at = 0;
            for (int step = 0; step < 10; step++) {
                batches.next(inputs, targets);
                for (int r = 0; r < b; r++) {
                    for (int i = 0; i < t; i++) {
                        assertEquals(stream.get(at + i), inputs[r * t + i], "step " + step + " row " + r);
                        assertEquals(stream.get(at + i + 1), targets[r * t + i]);
                    }
                    at += t + 1;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5, 9, 13})
    void seekingToASavedPositionContinuesTheSameStream(int batchesBefore) {
        Tokenizer tokenizer = TrainFixtures.tokenizer();
        int[] in = new int[2 * 5];
        int[] out = new int[2 * 5];
        int[] expectedIn = new int[in.length];
        int[] expectedOut = new int[in.length];
        TokenBatches.Position position;
        try (TokenBatches first = new TokenBatches(SOURCE, tokenizer, 2, 5)) {
            for (int i = 0; i < batchesBefore; i++) {
                first.next(in, out);
            }
            position = first.position();
            first.next(expectedIn, expectedOut);
        }
        try (TokenBatches resumed = new TokenBatches(SOURCE, tokenizer, 2, 5)) {
            resumed.seek(position);
            resumed.next(in, out);
        }
        assertArrayEquals(expectedIn, in);
        assertArrayEquals(expectedOut, out);
    }
}
