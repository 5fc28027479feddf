package io.nanolens.cli;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptFiles;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
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
    void finishedModelIsReusedItsSamplesPrintedAndAnSaeTrainedOnItsMiddleLayerThenReused() {
        TinyWorld world = new TinyWorld(3, 50);
        Bpe tokenizer = Bpe.train(() -> world.documents().iterator(), 300);
        GptConfig config = GptConfig.tiny(tokenizer.vocabSize());
        Gpt gpt = new Gpt(config, 1);
        tokenizer.save(dir);
        GptFiles.save(dir, gpt, Map.of("step", "300", "val_loss", "0.75"));
        int steps = DemoCommand.TRAINING.steps();
        new Checkpoint(steps, 0, TokenBatches.Position.START, steps, 1, DemoCommand.TRAINING, config,
                gpt.parameters(), Map.of()).write(dir.resolve(Checkpoint.FILE_NAME));

        String text = demo();
        assertTrue(text.contains("reusing the finished model"), text);
        assertFalse(text.contains("tokenizer:"), "nothing is trained: " + text);
        assertTrue(text.contains("validation loss: 0.750"), text);
        for (int i = 0; i < DemoCommand.PROMPTS.size(); i++) {
            assertTrue(text.contains((i + 1) + ". " + DemoCommand.PROMPTS.get(i)), text);
        }
        assertTrue(text.contains("on blocks.2.hook_resid_post"), "the middle of 4 layers: " + text);
        assertTrue(text.matches("(?s).*SAE topk-x8-k32: FVU \\d\\.\\d{3}, L0 \\d+\\.\\d, dead \\d+\\.\\d% .*"), text);
        SaeDirectory sae = SaeLensFormat.read(dir.resolve("sae"));
        assertEquals(Architecture.TOP_K, sae.sae().architecture());
        assertEquals(8 * 128, sae.sae().dSae());
        assertEquals("blocks.2.hook_resid_post", sae.metadata().hookName());

        String again = demo();
        assertTrue(again.contains("reusing the finished SAE"), again);
        assertFalse(again.contains("step 1/1"), "nothing is trained: " + again);
        assertTrue(again.contains("SAE topk-x8-k32: FVU"), again);
    }

    /** Runs the demo on the model in {@code dir} with a small SAE budget; returns what it printed. */
    private String demo() {
        DemoCommand demo = new DemoCommand();
        demo.modelDir = dir;
        demo.saeDir = dir.resolve("sae");
        demo.saeTokens = 2048;
        StringWriter out = new StringWriter();
        int code = new CommandLine(demo).setOut(new PrintWriter(out, true)).execute();
        assertEquals(0, code, out.toString());
        return out.toString();
    }
}
