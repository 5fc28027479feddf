package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.io.SafeTensors;
import io.nanolens.model.GptConfig;
import io.nanolens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    private static Checkpoint checkpoint(long step, int size) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("w", Tensor.randn(step, 1f, size, 4));
        Map<String, Tensor> optim = new LinkedHashMap<>();
        optim.put("w.exp_avg", Tensor.randn(step + 1, 1f, size, 4));
        optim.put("w.exp_avg_sq", Tensor.of(new float[] {Float.MIN_VALUE, -0f, 1e-30f, 7f}, 4));
        return new Checkpoint(step, step * 64, new TokenBatches.Position(2, step, 3), step + 1, 12.5,
                TrainConfig.of(4, 16, 100), new GptConfig(16, 300, 2, 2, 2, 32), model, optim);
    }

    @Test
    void roundTripsEveryFieldAndEveryBit() {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        Checkpoint saved = checkpoint(17, 5);
        saved.write(file);
        Checkpoint read = Checkpoint.read(file);
        assertEquals(saved, new Checkpoint(read.step(), read.tokens(), read.position(), read.adamSteps(),
                read.elapsedSeconds(), read.trainConfig(), read.modelConfig(), saved.model(), saved.optimizer()));
        assertEquals(saved.model(), read.model());
        assertEquals(saved.optimizer(), read.optimizer());
    }

    @Test
    void aReaderSeesTheOldOrTheNewCheckpointNeverAPartialOne() throws Exception {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        checkpoint(1, 20_000).write(file);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    Checkpoint c = Checkpoint.read(file);
                    assertEquals(c.step() + 1, c.adamSteps());
                    assertEquals(Tensor.randn(c.step(), 1f, 20_000, 4), c.model().get("w"));
                    reads.incrementAndGet();
                } catch (Throwable t) {
                    failure.set(t);
                    return;
                }
            }
        });
        reader.start();
        for (long step = 2; step <= 12; step++) {
            checkpoint(step, 20_000).write(file);
        }
        done.set(true);
        reader.join();
        assertNull(failure.get());
        assertTrue(reads.get() > 0);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void rejectsAFileThatIsNotACheckpoint() {
        NanolensException e = assertThrows(NanolensException.class,
                () -> Checkpoint.read(dir.resolve("missing.safetensors")));
        assertTrue(e.getMessage().contains("no training checkpoint"), e.getMessage());
        Path other = dir.resolve("other.safetensors");
        SafeTensors.write(other, Map.of("x", Tensor.zeros(2)), Map.of());
        e = assertThrows(NanolensException.class, () -> Checkpoint.read(other));
        assertTrue(e.getMessage().contains("not a nanolens training checkpoint"), e.getMessage());
    }
}
