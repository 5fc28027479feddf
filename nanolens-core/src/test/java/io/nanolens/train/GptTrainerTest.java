package io.nanolens.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptTrainerTest {
    @TempDir
    Path dir;

    private static GptTrainer.Result train(Path runDir, TrainConfig config, GptTrainer.Listener listener) {
        try (GptTrainer trainer = GptTrainer.start(runDir, new Gpt(TrainFixtures.MODEL, config.seed()), config,
                TrainFixtures.data())) {
            return trainer.train(listener);
        }
    }

    @Test
    void lossFallsWellBelowTheUniformGuessOnTinyWorld() {
        TrainConfig config = TrainFixtures.config(80, 80, 80);
        float[] first = new float[1];
        GptTrainer.Result result = train(dir, config, e -> {
            if (e.step() == 1) {
                first[0] = e.loss();
            }
        });
        double uniform = Math.log(TrainFixtures.VOCAB);
        assertEquals(uniform, first[0], 0.3, "an untrained model (zero head) guesses uniformly");
        assertTrue(result.valLoss() < uniform - 1.5, "validation loss " + result.valLoss() + " vs " + uniform);
        assertTrue(result.trainLoss() < uniform - 1.5, "training loss " + result.trainLoss());
        assertEquals(80, result.steps());
        assertEquals(80L * 4 * 16, result.tokens());
        assertFalse(result.stopped());
    }

    @ParameterizedTest
    @EnumSource(TrainConfig.MatrixOptimizer.class)
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(TrainConfig.MatrixOptimizer optimizer) {
        TrainConfig config = TrainFixtures.config(12, 4, 5).withMatrixOptimizer(optimizer)
                .withLearningRates(0.02f, 0.3f, 0.01f);
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        train(whole, config, e -> { });

        GptTrainer.Result firstPart;
        try (GptTrainer trainer = GptTrainer.start(parts, new Gpt(TrainFixtures.MODEL, config.seed()), config,
                TrainFixtures.data())) {
            firstPart = trainer.train(e -> {
                if (e.step() == 7) {
                    trainer.requestStop();
                }
            });
        }
        assertTrue(firstPart.stopped());
        assertEquals(7, firstPart.steps());
        Checkpoint saved = GptTrainer.checkpoint(parts);
        assertEquals(7, saved.step());
        try (GptTrainer trainer = GptTrainer.resume(parts, saved, saved.trainConfig(), TrainFixtures.data())) {
            GptTrainer.Result rest = trainer.train(e -> { });
            assertEquals(12, rest.steps());
            assertFalse(rest.stopped());
        }

        assertTensorsIdentical(whole.resolve(GptFiles.WEIGHTS_FILE), parts.resolve(GptFiles.WEIGHTS_FILE));
        assertTensorsIdentical(whole.resolve(Checkpoint.FILE_NAME), parts.resolve(Checkpoint.FILE_NAME));
        List<MetricsLog.Entry> a = MetricsLog.read(whole.resolve(MetricsLog.FILE_NAME));
        List<MetricsLog.Entry> b = MetricsLog.read(parts.resolve(MetricsLog.FILE_NAME));
        assertEquals(12, b.size(), "the resumed log reads as one run");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(i + 1, b.get(i).step());
            assertEquals(a.get(i).loss(), b.get(i).loss(), 0f, "loss at step " + (i + 1));
            assertEquals(a.get(i).valLoss(), b.get(i).valLoss(), "validation loss at step " + (i + 1));
            assertEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 0f);
        }
    }

    @Test
    void nonFiniteLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        TrainConfig config = TrainFixtures.config(10, 100, 3);
        byte[][] good = new byte[2][];
        NanolensException e;
        try (GptTrainer trainer = GptTrainer.start(dir, new Gpt(TrainFixtures.MODEL, 1), config,
                TrainFixtures.data())) {
            e = assertThrows(NanolensException.class, () -> trainer.train(new GptTrainer.Listener() {
                @Override
                public void onStep(MetricsLog.Entry entry) {
                }

                @Override
                public void onCheckpoint(long step, Path file) {
                    if (step == 6) {
                        good[0] = read(file);
                        good[1] = read(dir.resolve(GptFiles.WEIGHTS_FILE));
                        trainer.gpt().parameters().get("transformer.h.1.mlp.c_fc.weight").data()[5] = Float.NaN;
                    }
                }
            }));
        }
        assertTrue(e.getMessage().contains("step 7"), e.getMessage());
        assertTrue(e.getMessage().contains("loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("(step 6)"), e.getMessage());
        assertArrayEquals(good[0], Files.readAllBytes(dir.resolve(Checkpoint.FILE_NAME)));
        assertArrayEquals(good[1], Files.readAllBytes(dir.resolve(GptFiles.WEIGHTS_FILE)));
        assertEquals(6, GptTrainer.checkpoint(dir).step());
    }

    @Test
    void metricsLinesParseWithOneEntryPerStepAndValidationOnEvaluationSteps() throws Exception {
        train(dir, TrainFixtures.config(6, 4, 10), e -> { });
        List<String> lines = Files.readAllLines(dir.resolve(MetricsLog.FILE_NAME));
        assertEquals(6, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = Json.readTree(lines.get(i), "line " + (i + 1));
            assertEquals(i + 1, node.get("step").asInt());
            assertEquals((i + 1) * 64L, node.get("tokens").asLong());
            for (String key : List.of("loss", "lr", "grad_norm", "tokens_per_s", "elapsed_s")) {
                assertTrue(node.get(key).isNumber(), key + " in " + lines.get(i));
            }
            boolean evaluated = i + 1 == 4 || i + 1 == 6;
            assertEquals(evaluated, node.has("val_loss"), lines.get(i));
        }
        assertNull(MetricsLog.read(dir.resolve(MetricsLog.FILE_NAME)).get(0).valLoss());
    }

    @Test
    void runDirectoryLoadsAsAModelWithTheTrainedWeights() {
        TrainConfig config = TrainFixtures.config(3, 3, 3);
        Gpt trained;
        try (GptTrainer trainer = GptTrainer.start(dir, new Gpt(TrainFixtures.MODEL, 5), config,
                TrainFixtures.data())) {
            trainer.train(e -> { });
            trained = trainer.gpt();
        }
        GptFiles.Loaded loaded = GptFiles.load(dir);
        assertEquals(TrainFixtures.MODEL, loaded.gpt().config());
        assertEquals(trained.parameters(), loaded.gpt().parameters());
        assertEquals(TrainFixtures.VOCAB, loaded.tokenizer().vocabSize());
        assertEquals("3", loaded.metadata().get("step"));
        assertTrue(Files.exists(dir.resolve(GptTrainer.CONFIG_FILE)));
    }

    @Test
    void rejectsASequenceLongerThanTheContextAndAMismatchedTokenizer() {
        TrainConfig tooLong = TrainConfig.of(2, 32, 5);
        NanolensException e = assertThrows(NanolensException.class, () -> GptTrainer.start(dir,
                new Gpt(TrainFixtures.MODEL, 1), tooLong, TrainFixtures.data()));
        assertTrue(e.getMessage().contains("seq_len 32"), e.getMessage());
        GptConfig otherVocab = new GptConfig(16, 400, 2, 2, 2, 32);
        e = assertThrows(NanolensException.class, () -> GptTrainer.start(dir, new Gpt(otherVocab, 1),
                TrainFixtures.config(5, 5, 5), TrainFixtures.data()));
        assertTrue(e.getMessage().contains("300 tokens"), e.getMessage());
    }

    private static void assertTensorsIdentical(Path expected, Path actual) {
        try (SafeTensors a = SafeTensors.open(expected); SafeTensors b = SafeTensors.open(actual)) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                Tensor x = a.load(name);
                Tensor y = b.load(name);
                assertArrayEquals(x.shape(), y.shape(), name);
                for (int i = 0; i < x.size(); i++) {
                    assertEquals(Float.floatToRawIntBits(x.data()[i]), Float.floatToRawIntBits(y.data()[i]),
                            name + "[" + i + "]");
                }
            }
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
