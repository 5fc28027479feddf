package io.nanolens.study;

import io.nanolens.analysis.ConceptProbe;
import io.nanolens.analysis.ConceptTable;
import io.nanolens.eval.DensityHistogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CheckpointScoresTest {

    private static ConceptProbe.Score score(double[] density, double colourF1, int colourFeature, double nameF1) {
        ConceptTable table = new ConceptTable(100, List.of(
                new ConceptTable.Row("colour", 10, colourFeature, 0.5, 0.5, colourF1),
                new ConceptTable.Row("name", 10, 0, 0.5, 0.5, nameF1)));
        return new ConceptProbe.Score(table, density, 0.5, 2);
    }

    /** Four features over three checkpoints: 0 dies after the second, 2 after the first, 3 is born at the last. */
    private static CheckpointScores scenario() {
        CheckpointScores s = new CheckpointScores();
        s.add(10, 1000, score(new double[] {0.1, 0, 0.2, 0}, 0.2, 2, 0.1));
        s.add(20, 2000, score(new double[] {0.1, 0.3, 0, 0}, 0.6, 1, 0.3));
        s.add(30, 3000, score(new double[] {0, 0.3, 0, 0.05}, 0.7, 1, 0.4));
        return s;
    }

    @Test
    void eachCheckpointCountsFeaturesAliveFiringForTheFirstTimeAndFallenSilent() {
        List<CheckpointScores.Checkpoint> rows = scenario().checkpoints();
        assertEquals(3, rows.size());
        int[] alive = {2, 2, 2};
        int[] first = {2, 1, 1};
        int[] silent = {0, 1, 1};
        for (int i = 0; i < 3; i++) {
            assertEquals(alive[i], rows.get(i).alive(), "alive at " + i);
            assertEquals(first[i], rows.get(i).firstFiring(), "first firing at " + i);
            assertEquals(silent[i], rows.get(i).fellSilent(), "fell silent at " + i);
        }
        assertEquals(0.6, rows.get(1).f1().get("colour"));
        assertEquals(1, rows.get(1).feature().get("colour"));
        assertEquals(20, rows.get(1).step());
        assertEquals(2000, rows.get(1).tokens());
        assertArrayEquals(DensityHistogram.of(new double[] {0, 0.3, 0, 0.05}).counts(),
                rows.get(2).densityHistogram());
    }

    @Test
    void aConceptEmergesAtTheFirstCheckpointReachingTheThreshold() {
        List<CheckpointScores.Emergence> e = scenario().emergence(0.5);
        assertEquals(new CheckpointScores.Emergence("colour", 20, 2000, 1, 0.6, 0.7, 1), e.get(0));
        assertEquals(new CheckpointScores.Emergence("name", -1, -1, -1, 0, 0.4, 0), e.get(1));
        assertEquals(10, scenario().emergence(0.2).get(0).step(), "reaching the threshold exactly counts");
    }

    @Test
    void aFeatureDiedIfItFiredEarlierButNotAtTheLastCheckpoint() {
        assertEquals(List.of(new CheckpointScores.Death(0, 20, 0.1), new CheckpointScores.Death(2, 10, 0.2)),
                scenario().died());
    }

    @Test
    void checkpointsMustComeInOrderWithOneWidth() {
        CheckpointScores s = scenario();
        assertThrows(IllegalArgumentException.class, () -> s.add(30, 4000, score(new double[4], 0, -1, 0)));
        assertThrows(IllegalArgumentException.class, () -> s.add(40, 4000, score(new double[3], 0, -1, 0)));
    }

    @Test
    void withoutConceptsNothingEmerges() {
        CheckpointScores s = new CheckpointScores();
        s.add(1, 10, new ConceptProbe.Score(null, new double[] {1}, 0, 1));
        assertEquals(List.of(), s.emergence(0.5));
        assertEquals(0, s.checkpoints().getFirst().f1().size());
    }

    @Test
    void theScheduleEndsAtTheLastStepEvenlyOrDoublingAndKeepsARepeatedStepOnce() {
        assertEquals(List.of(25, 50, 75, 100), List.copyOf(CheckpointScores.schedule(100, 4, false)));
        assertEquals(List.of(13, 25, 50, 100), List.copyOf(CheckpointScores.schedule(100, 4, true)));
        assertEquals(List.of(1, 2, 3), List.copyOf(CheckpointScores.schedule(3, 8, false)));
        assertEquals(List.of(1, 2, 4), List.copyOf(CheckpointScores.schedule(4, 5, true)));
    }
}
