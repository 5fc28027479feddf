package io.nanolens.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {

    @Test
    void learnsTheTextbookMergesOfAaabdaaabac() {
        // Pairs in "aaabdaaabac": aa 4 (overlapping), ab 2, others 1 → aa=256. Then "Zab d Zab a c": Za 2 and ab 2
        // tie, the smaller left id (97 < 256) wins → ab=257. Then ZY 2 → 258. Then all pairs count 1 and the
        // smallest left id is a (97): "ac" → 259.
        Bpe bpe = Bpe.train(List.of("aaabdaaabac"), 256 + 4 + 1);
        assertArrayEquals(new int[][] {{'a', 'a'}, {'a', 'b'}, {256, 257}, {'a', 'c'}}, bpe.merges());
        assertArrayEquals(new int[] {258, 'd', 258, 259}, bpe.encode("aaabdaaabac"));
    }

    @Test
    void firstMergesOnProseMatchABruteForceTrainer() {
        List<String> docs = List.of(TextSamples.PROSE);
        assertArrayEquals(bruteForceMerges(docs, 60), Bpe.train(docs, 256 + 60 + 1).merges());
    }

    @Test
    void mergesOnMixedTextMatchABruteForceTrainer() {
        Random random = new Random(9);
        List<String> docs = new ArrayList<>(TextSamples.documents());
        for (int i = 0; i < 10; i++) {
            docs.add(TextSamples.random(random, 200));
        }
        assertArrayEquals(bruteForceMerges(docs, 300), Bpe.train(docs, 256 + 300 + 1).merges());
    }

    @Test
    void trainingStopsWhenNoPairIsLeft() {
        BpeTrainingReport report = Bpe.train(List.of("ab ab"), BpeTrainingConfig.ofVocabSize(1000));
        assertEquals(2, report.merges()); // "ab", then " ab" = (' ', ab)
        assertEquals(256 + 2 + 1, report.tokenizer().vocabSize());
        assertEquals(256 + 2, report.tokenizer().bosId());
    }

    @Test
    void characterBudgetStopsReadingDocuments() {
        List<String> docs = List.of("0123456789", "abcdefghij", "klmnopqrst", "never read");
        BpeTrainingReport report = Bpe.train(docs, new BpeTrainingConfig(300, 10_000, 25));
        assertEquals(25, report.characters());
        assertEquals(3, report.documents());
        assertEquals(25, report.bytes());
        assertTrue(report.megabytesPerSecond() >= 0);
    }

    @Test
    void documentCapKeepsSurrogatePairsWhole() {
        BpeTrainingReport report = Bpe.train(List.of("ab😀cd", "xyz"), new BpeTrainingConfig(300, 3, 1000));
        assertEquals(2 + 3, report.characters()); // "ab" (the emoji would be cut in half) and "xyz"
        assertEquals(5, report.bytes());
    }

    @Test
    void configRejectsVocabularyOutOfRange() {
        assertThrows(io.nanolens.NanolensException.class, () -> BpeTrainingConfig.ofVocabSize(256));
        assertThrows(io.nanolens.NanolensException.class, () -> BpeTrainingConfig.ofVocabSize(1 << 21));
    }

    /**
     * minbpe's training loop, made deliberately naive: split and byte-encode every document, then at each step
     * recount every adjacent pair in every chunk occurrence, merge the most frequent (ties: smaller left id, then
     * smaller right id) everywhere.
     */
    static int[][] bruteForceMerges(List<String> docs, int merges) {
        Pattern pattern = Pattern.compile(Bpe.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
        List<List<Integer>> chunks = new ArrayList<>();
        for (String doc : docs) {
            Matcher m = pattern.matcher(doc);
            while (m.find()) {
                List<Integer> chunk = new ArrayList<>();
                for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
                    chunk.add(b & 0xFF);
                }
                chunks.add(chunk);
            }
        }
        List<int[]> learnt = new ArrayList<>();
        for (int r = 0; r < merges; r++) {
            Map<Long, Integer> counts = new HashMap<>();
            for (List<Integer> chunk : chunks) {
                for (int i = 0; i + 1 < chunk.size(); i++) {
                    counts.merge(chunk.get(i) * (1L << 32) + chunk.get(i + 1), 1, Integer::sum);
                }
            }
            long best = -1;
            for (Map.Entry<Long, Integer> e : counts.entrySet()) {
                if (best < 0 || e.getValue() > counts.get(best) || (e.getValue().equals(counts.get(best))
                        && e.getKey() < best)) { // (left << 32) + right orders by left, then right
                    best = e.getKey();
                }
            }
            if (best < 0) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            learnt.add(new int[] {left, right});
            for (List<Integer> chunk : chunks) {
                for (int i = 0; i + 1 < chunk.size(); i++) {
                    if (chunk.get(i) == left && chunk.get(i + 1) == right) {
                        chunk.set(i, 256 + r);
                        chunk.remove(i + 1);
                    }
                }
            }
        }
        return learnt.toArray(new int[0][]);
    }
}
