package io.nanolens.analysis;

import io.nanolens.sae.Architecture;
import io.nanolens.text.Corpus;
import io.nanolens.text.StreamStart;
import io.nanolens.text.TinyWorld;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusStatisticsTest {
    private static final TinyWorld WORLD = new TinyWorld(7, 40);

    /** One part of the corpus: its documents, where it starts, and its token budget. */
    private record Part(List<String> documents, StreamStart start, long budget) {
    }

    /**
     * The corpus cut at the given stream positions (multiples of the pass size) into parts, each with the documents
     * that overlap it and the budget that stops it at its end or at the whole pass's budget, whichever comes first.
     */
    private static List<Part> split(List<String> documents, long[] cuts, long budget) {
        int n = documents.size();
        long[] offset = new long[n + 1]; // stream position of each document's BOS; offset[n] = stream length
        for (int i = 0; i < n; i++) {
            offset[i + 1] = offset[i] + 1 + AnalysisFixtures.TOKENIZER.encode(documents.get(i)).length;
        }
        List<Part> parts = new ArrayList<>();
        for (int p = 0; p <= cuts.length; p++) {
            long from = p == 0 ? 0 : cuts[p - 1];
            long to = Math.min(offset[n], p == cuts.length ? Long.MAX_VALUE : cuts[p]);
            if (from >= to) {
                continue;
            }
            int first = 0;
            while (offset[first + 1] <= from) {
                first++;
            }
            List<String> held = new ArrayList<>();
            long bosBefore = 0;
            long bosInside = 0;
            for (int i = 0; i < n; i++) {
                bosBefore += offset[i] < from ? 1 : 0;
                bosInside += offset[i] >= from && offset[i] < to ? 1 : 0;
                if (offset[i] < to && offset[i + 1] > from) {
                    held.add(documents.get(i));
                }
            }
            long cap = Math.min(budget - (from - bosBefore), to - from - bosInside);
            if (cap > 0) {
                parts.add(new Part(held, new StreamStart(from, (int) (from - offset[first])), cap));
            }
        }
        return parts;
    }

    /** A copy made by Java serialization, as a part's statistics travel between machines. */
    private static CorpusStatistics transported(CorpusStatistics stats) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(stats);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (CorpusStatistics) in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {2500, Long.MAX_VALUE})
    void partsStartedAtPassBoundariesMergeIntoTheWholePass(long budget) {
        AnalysisSubject subject = AnalysisFixtures.subject(AnalysisFixtures.sae(Architecture.TOP_K, 32, 24, 15));
        AnalysisConfig config = AnalysisFixtures.config(budget, true).withContextsPerPass(2);
        int pass = config.passContexts(AnalysisFixtures.CONTEXT, 24) * AnalysisFixtures.CONTEXT;
        List<String> documents = WORLD.documents().collect(Collectors.toList());
        AnalysisResult whole = FeatureAnalysis.run(subject, Corpus.of(WORLD), config, null,
                FeatureAnalysis.Listener.NONE);
        Random random = new Random(budget);
        long[] cuts = random.longs(5, 1, 3000 / pass).map(c -> c * pass).sorted().distinct().toArray();
        List<Part> parts = split(documents, cuts, budget);
        assertTrue(parts.size() >= 3, "too few parts: " + parts.size());
        assertTrue(parts.stream().anyMatch(p -> p.start().skip() > 0), "no part starts inside a document");
        List<CorpusStatistics> pieces = new ArrayList<>();
        for (Part part : parts) {
            Corpus held = Corpus.of("part at " + part.start().position(), part.documents());
            pieces.add(transported(FeatureAnalysis.statistics(subject, held, part.start(),
                    config.withTokens(part.budget()))));
        }
        Collections.shuffle(pieces, random);
        CorpusStatistics merged = pieces.getFirst();
        pieces.subList(1, pieces.size()).forEach(merged::merge);
        AnalysisResult result = FeatureAnalysis.finish(subject, merged, config, null, FeatureAnalysis.Listener.NONE);
        assertEquals(whole.tokens(), result.tokens());
        assertEquals(whole.concepts(), result.concepts());
        for (int j = 0; j < 24; j++) {
            assertEquals(whole.atlas().features().get(j), result.atlas().features().get(j), "feature " + j);
        }
    }
}
