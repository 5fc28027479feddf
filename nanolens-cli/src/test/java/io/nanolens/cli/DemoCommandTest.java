package io.nanolens.cli;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.text.Bpe;
import io.nanolens.text.TinyWorld;
import io.nanolens.train.Checkpoint;
import io.nanolens.train.TokenBatches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void finishedModelIsReusedAndItsLossAndThreeSamplesArePrinted() {
        TinyWorld world = new TinyWorld(3, 50);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        GptConfig config = GptConfig.tiny(tokenizer.vocabSize());
        Gpt gpt = new Gpt(config, 1);
        tokenizer.save(dir);
        GptFiles.save(dir, gpt, Map.of("step", "300", "val_loss", "0.75"));
        int steps = DemoCommand.TRAINING.steps();
        new Checkpoint(steps, 0, TokenBatches.Position.START, steps, 1, DemoCommand.TRAINING, config,
                gpt.parameters(), Map.of()).write(dir.resolve(Checkpoint.FILE_NAME));

        DemoCommand demo = new DemoCommand();
        demo.modelDir = dir;
        StringWriter out = new StringWriter();
        int code = new CommandLine(demo).setOut(new PrintWriter(out, true)).execute();
        String text = out.toString();
        assertEquals(0, code, text);
        assertTrue(text.contains("reusing the finished model"), text);
        assertFalse(text.contains("tokenizer:"), "nothing is trained: " + text);
        assertTrue(text.contains("validation loss: 0.750"), text);
        for (int i = 0; i < DemoCommand.PROMPTS.size(); i++) {
            assertTrue(text.contains((i + 1) + ". " + DemoCommand.PROMPTS.get(i)), text);
        }
    }
}
