package io.nanolens.sae.store;

import io.nanolens.NanolensException;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Bpe;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fixtures for the activation-store tests: a tiny random GPT, a byte tokenizer, TinyWorld corpora, row helpers. */
final class StoreFixtures {
    /** d=32, 2 layers, 4 heads of 8, context 32, vocabulary 257 (256 bytes + BOS). */
    static final GptConfig CONFIG = new GptConfig(32, 257, 2, 4, 4, 32);
    /** The project's BPE at its smallest vocabulary: the 256 bytes and BOS, no merges (a byte tokenizer). */
    static final Tokenizer BYTES = Bpe.train(List.of(), CONFIG.vocabSize());

    private StoreFixtures() {
    }

    /** A nanochat-initialised model whose zero-initialised projections get random values, so every hook varies. */
    static Gpt model(long seed) {
        Gpt gpt = new Gpt(CONFIG, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        gpt.parameters().forEach((name, t) -> {
            if (name.equals("lm_head.weight") || name.endsWith("c_proj.weight")) {
                float std = (float) (1 / Math.sqrt(t.dim(1)));
                System.arraycopy(Tensor.randn(random.nextLong(), std, t.shape()).data(), 0, t.data(), 0, t.size());
            }
        });
        return gpt;
    }

    static Corpus stories(int count) {
        return Corpus.of(new TinyWorld(7, count));
    }

    /** Every row a stream yields, read in pieces of {@code piece} rows. */
    static List<float[]> readAll(ActivationStream stream, int piece) {
        List<float[]> rows = new ArrayList<>();
        float[] buffer = new float[piece * stream.width()];
        for (int n; (n = stream.read(buffer, 0, piece)) > 0; ) {
            for (int r = 0; r < n; r++) {
                rows.add(Arrays.copyOfRange(buffer, r * stream.width(), (r + 1) * stream.width()));
            }
        }
        return rows;
    }

    /** How often each exact row (by its bits) occurs. */
    static Map<String, Integer> multiset(List<float[]> rows) {
        Map<String, Integer> counts = new HashMap<>();
        for (float[] row : rows) {
            int[] bits = new int[row.length];
            for (int i = 0; i < row.length; i++) {
                bits[i] = Float.floatToRawIntBits(row[i]);
            }
            counts.merge(Arrays.toString(bits), 1, Integer::sum);
        }
        return counts;
    }

    /** The token stream a harvest sees: BOS then the document's byte ids, for every document, concatenated. */
    static int[] tokenStream(Corpus corpus) {
        try (Stream<String> documents = corpus.documents()) {
            return documents.flatMapToInt(d -> IntStream.concat(IntStream.of(BYTES.bosId()),
                    Arrays.stream(BYTES.encode(d)))).toArray();
        }
    }

    static void assertOneLineError(String expectedPart, Runnable action) {
        NanolensException e = assertThrows(NanolensException.class, action::run);
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
    }

    /** Rows given in memory, as a stream (for tests that need no model). */
    static ActivationStream rows(List<float[]> rows, int width) {
        return new ActivationStream() {
            private int next;

            @Override
            public int width() {
                return width;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int n = Math.min(maxRows, rows.size() - next);
                for (int r = 0; r < n; r++) {
                    System.arraycopy(rows.get(next++), 0, dst, (fromRow + r) * width, width);
                }
                return n;
            }
        };
    }

    /** {@code count} rows of {@code width} Gaussian values, row i also carrying i in its first value. */
    static List<float[]> numberedRows(int count, int width, long seed) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] row = Tensor.randn(seed + i, 1f, width).data();
            row[0] = i;
            rows.add(row);
        }
        return rows;
    }

    /**
     * A stream that records every row it passes on and counts them, so a test can see what a consumer pulled.
     */
    static final class Recording implements ActivationStream {
        final ActivationStream source;
        final List<float[]> seen = new ArrayList<>();

        Recording(ActivationStream source) {
            this.source = source;
        }

        @Override
        public int width() {
            return source.width();
        }

        @Override
        public int read(float[] dst, int fromRow, int maxRows) {
            int n = source.read(dst, fromRow, maxRows);
            int w = width();
            for (int r = fromRow; r < fromRow + n; r++) {
                seen.add(Arrays.copyOfRange(dst, r * w, (r + 1) * w));
            }
            return n;
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
