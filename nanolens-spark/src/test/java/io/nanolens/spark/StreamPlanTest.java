package io.nanolens.spark;

import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;
import io.nanolens.text.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamPlanTest {
    private static final TinyWorld WORLD = new TinyWorld(9, 60);
    private static final Tokenizer TOKENIZER = Bpe.train(() -> WORLD.documents().limit(20).iterator(), 280);

    /** The whole token stream: BOS and ids of every document, in order. */
    private static int[] stream(List<String> documents) {
        return documents.stream().flatMapToInt(d -> IntStream.concat(IntStream.of(TOKENIZER.bosId()),
                Arrays.stream(TOKENIZER.encode(d)))).toArray();
    }

    private static long bos(int[] stream, long from, long to) {
        return IntStream.range((int) from, (int) to).filter(i -> stream[i] == TOKENIZER.bosId()).count();
    }

    /** Documents split into partitions at random, some empty, some of one short document. */
    private static List<List<String>> partitions(List<String> documents, SplittableRandom random) {
        List<List<String>> partitions = new ArrayList<>();
        int at = 0;
        while (at < documents.size()) {
            int size = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 1;
                default -> random.nextInt(1, 12);
            };
            partitions.add(documents.subList(at, Math.min(documents.size(), at + size)));
            at += size;
        }
        partitions.add(List.of());
        return partitions;
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 64, 300, 5000})
    void partsTileThePassesAndEachSliceReadsTheWholeStreamFromItsStart(int pass) {
        SplittableRandom random = new SplittableRandom(pass);
        for (int trial = 0; trial < 20; trial++) {
            List<String> documents = WORLD.documents().limit(random.nextInt(1, 60)).map(d -> random.nextBoolean()
                    ? d : d.substring(0, random.nextInt(1, Math.min(d.length(), 12)))).toList();
            int[] whole = stream(documents);
            List<List<String>> partitions = partitions(documents, random);
            List<StreamPlan.Summary> summaries = partitions.stream()
                    .map(p -> StreamPlan.summarise(p.iterator(), TOKENIZER, pass)).toList();
            List<StreamPlan.Part> parts = StreamPlan.plan(summaries, pass);
            long covered = 0;
            for (int p = 0; p < parts.size(); p++) {
                StreamPlan.Part part = parts.get(p);
                StreamPlan.Slice slice = StreamPlan.slice(part, partitions.get(p).iterator(), TOKENIZER);
                if (part.empty()) {
                    assertNull(slice);
                    continue;
                }
                String where = "pass " + pass + ", trial " + trial + ", partition " + p;
                assertEquals(covered, part.from(), where + ": the parts leave a gap or overlap");
                assertEquals(0, part.from() % pass, where);
                covered = part.to();
                int[] read = stream(slice.documents());
                int[] from = Arrays.copyOfRange(read, slice.start().skip(), read.length);
                long end = Math.min(part.to(), whole.length);
                assertTrue(from.length >= end - part.from(), where + ": the slice stops before its part's end");
                assertArrayEquals(Arrays.copyOfRange(whole, (int) part.from(), (int) part.from() + from.length),
                        from, where);
                assertEquals(bos(whole, 0, part.from()), slice.bosBefore(), where);
                assertEquals(bos(whole, part.from(), end), slice.bosInside(), where);
                assertEquals(part.to() - part.from(), slice.positions(), where);
            }
            assertEquals((whole.length + pass - 1) / pass * pass, covered, "the parts end with the last pass");
        }
    }
}
