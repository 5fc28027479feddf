package io.nanolens.sae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.store.ActivationStream;
import io.nanolens.sae.synthetic.DictionaryRecovery;
import io.nanolens.sae.synthetic.SyntheticActivations;
import io.nanolens.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaeTrainerTest {
    private static final SyntheticActivations DATA = SyntheticActivations.of(32, 96, 4, 11);

    private static SaeTrainingConfig config(long tokens) {
        return SaeTrainingConfig.of(tokens).withBatchRows(256).withLr(3e-3f).withIntervals(5, 0)
                .withDeadWindow(2048, 2);
    }

    private static List<SaeTrainer.Spec> sweep() {
        return List.of(
                new SaeTrainer.Spec("topk", SaeConfig.of(Architecture.TOP_K, 32, 128).withK(4)),
                new SaeTrainer.Spec("relu", SaeConfig.of(Architecture.RELU, 32, 128)),
                new SaeTrainer.Spec("batchtopk", SaeConfig.of(Architecture.BATCH_TOP_K, 32, 128).withK(4)),
                new SaeTrainer.Spec("jumprelu", SaeConfig.of(Architecture.JUMP_RELU, 32, 128)),
                new SaeTrainer.Spec("gated", SaeConfig.of(Architecture.GATED, 32, 128)),
                new SaeTrainer.Spec("matryoshka", SaeConfig.of(Architecture.MATRYOSHKA, 32, 128).withK(4)));
    }

    @Test
    void everyArchitectureOfASweepLearnsToReconstruct(@TempDir Path dir) {
        SaeTrainer trainer = SaeTrainer.start(dir, sweep(), config(256 * 60));
        double[] first = new double[6];
        SaeTrainer.Result result = trainer.train(DATA.activations(Long.MAX_VALUE), (step, tokens, metrics) -> {
            if (step == 1) {
                for (int i = 0; i < 6; i++) {
                    first[i] = metrics.get(i).fvu();
                }
            }
        });
        assertEquals(60, result.steps());
        assertEquals(256 * 60, result.tokens());
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            all.append(result.last().get(i).sae()).append(' ').append(first[i]).append(" → ")
                    .append(result.last().get(i).fvu()).append("; ");
        }
        for (int i = 0; i < 6; i++) {
            SaeMetrics m = result.last().get(i);
            assertTrue(m.fvu() < 0.7 * first[i], m.sae() + " did not learn: " + all);
        }
    }

    @Test
    void topKDecoderRowsStayUnitNormAndMetricsAreLogged(@TempDir Path dir) throws Exception {
        SaeTrainer trainer = SaeTrainer.start(dir, sweep().subList(0, 1), config(256 * 12));
        trainer.train(DATA.activations(Long.MAX_VALUE), null);
        float[] wDec = trainer.runs().getFirst().sae().parameters().get("wDec").data();
        for (int i = 0; i < 128; i++) {
            double n = 0;
            for (int j = 0; j < 32; j++) {
                n += wDec[i * 32 + j] * wDec[i * 32 + j];
            }
            assertEquals(1, n, 1e-4, "row " + i);
        }
        List<String> lines = Files.readAllLines(dir.resolve(SaeTrainer.METRICS_FILE));
        assertEquals(List.of(0, 5, 10, 11), lines.stream().map(l -> Json.readTree(l, "m").path("step").asInt()).toList());
        assertEquals(4.0, Json.readTree(lines.getLast(), "m").path("l0").asDouble(), 1e-9, "TopK keeps k per row");
    }

    @Test
    void resumeEndsWithTheSameWeightsAsAnUninterruptedRun(@TempDir Path dir) {
        SaeTrainingConfig cfg = config(256 * 16).withIntervals(5, 3);
        SaeTrainer whole = SaeTrainer.start(dir.resolve("whole"), sweep(), cfg);
        whole.train(DATA.activations(Long.MAX_VALUE), null);

        Path part = dir.resolve("parts");
        SaeTrainer first = SaeTrainer.start(part, sweep(), cfg);
        first.train(DATA.activations(Long.MAX_VALUE), (step, tokens, metrics) -> {
            if (step == 7) {
                first.requestStop();
            }
        });
        assertEquals(7, first.step());
        SaeTrainer second = SaeTrainer.resume(part, sweep(), cfg);
        assertEquals(7, second.step());
        SaeTrainer.Result result = second.train(DATA.activations(Long.MAX_VALUE), null);
        assertEquals(16, result.steps());
        for (int i = 0; i < sweep().size(); i++) {
            Map<String, Tensor> a = whole.runs().get(i).sae().parameters();
            Map<String, Tensor> b = second.runs().get(i).sae().parameters();
            for (String name : a.keySet()) {
                assertArrayEquals(a.get(name).data(), b.get(name).data(), sweep().get(i).name() + "." + name);
            }
            assertEquals(whole.runs().get(i).sae().batchThreshold(), second.runs().get(i).sae().batchThreshold());
        }
    }

    @Test
    void resumeRefusesAnotherSweep(@TempDir Path dir) {
        SaeTrainingConfig cfg = config(256 * 4).withIntervals(5, 2);
        SaeTrainer.start(dir, sweep().subList(0, 2), cfg).train(DATA.activations(Long.MAX_VALUE), null);
        NanolensException e = assertThrows(NanolensException.class,
                () -> SaeTrainer.resume(dir, List.of(sweep().get(1), sweep().get(0)), cfg));
        assertTrue(e.getMessage().contains("resume with the same"), e.getMessage());
        assertThrows(NanolensException.class, () -> SaeTrainer.resume(dir.resolve("none"), sweep(), cfg));
    }

    @Test
    void aNonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
        SaeTrainingConfig cfg = config(256 * 10).withIntervals(5, 2);
        ActivationStream poisoned = new ActivationStream() {
            private final ActivationStream source = DATA.activations(Long.MAX_VALUE);
            private long rows;

            @Override
            public int width() {
                return 32;
            }

            @Override
            public int read(float[] dst, int fromRow, int maxRows) {
                int n = source.read(dst, fromRow, maxRows);
                if (rows >= 256 * 5) {
                    dst[fromRow * 32] = Float.NaN;
                }
                rows += n;
                return n;
            }
        };
        SaeTrainer trainer = SaeTrainer.start(dir, sweep().subList(0, 1), cfg);
        NanolensException e = assertThrows(NanolensException.class, () -> trainer.train(poisoned, null));
        assertTrue(e.getMessage().contains("at step 5"), e.getMessage());
        SaeTrainer resumed = SaeTrainer.resume(dir, sweep().subList(0, 1), cfg);
        assertEquals(4, resumed.step(), "the checkpoint of step 4 is intact");
        for (Tensor t : resumed.runs().getFirst().sae().parameters().values()) {
            for (float v : t.data()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void activationsOfTheWrongWidthAreRefused(@TempDir Path dir) {
        SaeTrainer trainer = SaeTrainer.start(dir, sweep().subList(0, 1), config(1024));
        NanolensException e = assertThrows(NanolensException.class,
                () -> trainer.train(SyntheticActivations.of(16, 8, 2, 1).activations(1024), null));
        assertTrue(e.getMessage().contains("16 wide"), e.getMessage());
    }

    @Test
    void topKRecoversTheTrueDictionary(@TempDir Path dir) {
        SyntheticActivations truth = new SyntheticActivations(24, 48, 3, 0.3, 2, 0.25, 0.005, 5);
        SaeTrainingConfig cfg = SaeTrainingConfig.of(1024L * 150).withBatchRows(1024).withLr(4e-3f)
                .withIntervals(50, 0).withDeadWindow(20000, 0);
        SaeTrainer trainer = SaeTrainer.start(dir, List.of(
                new SaeTrainer.Spec("topk", SaeConfig.of(Architecture.TOP_K, 24, 96).withK(3))), cfg);
        trainer.train(truth.activations(Long.MAX_VALUE), null);
        float[] wDec = trainer.runs().getFirst().sae().parameters().get("wDec").data();
        DictionaryRecovery score = DictionaryRecovery.score(truth.directions(), 48, wDec, 96, 24, 0.9);
        assertTrue(score.mmcs() >= 0.9, "MMCS " + score.mmcs() + ", recovered " + score.recovered());
    }

    @Test
    void scheduleWarmsUpAndDecaysToZero() {
        SaeTrainingConfig cfg = SaeTrainingConfig.of(100).withBatchRows(1).withSchedule(0.1f, 0.2f, 0.5f);
        assertEquals(1 / 11f, cfg.lrMultiplier(0), 1e-6);
        assertEquals(1f, cfg.lrMultiplier(10), 0);
        assertEquals(1f, cfg.lrMultiplier(79), 0);
        assertEquals(20 / 21f, cfg.lrMultiplier(80), 1e-6);
        assertEquals(1 / 21f, cfg.lrMultiplier(99), 1e-6);
        assertEquals(1 / 51f, cfg.sparsityMultiplier(0), 1e-6);
        assertEquals(1f, cfg.sparsityMultiplier(50), 0);
    }
}
