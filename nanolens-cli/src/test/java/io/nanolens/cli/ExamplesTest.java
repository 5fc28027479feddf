package io.nanolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The programs under examples/ compile against the library and run on a small model and SAE. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void steeringExampleRunsAndPrintsBothStories(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        assertEquals(0, TrainModelCommandTest.train(model, "--steps", "3").code());
        Path sae = dir.resolve("sae");
        SaeLensFormat.write(sae, new SaeDirectory(Sae.create(SaeConfig.of(Architecture.TOP_K, 32, 64).withK(4), 1),
                SaeMetadata.of("test", "blocks.1.hook_resid_post", 16), null));

        Path source = EXAMPLES.resolve("SteeringExample.java");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int code = javac.run(null, diagnostics, diagnostics, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "-d", classes.toString(), source.toString());
        assertEquals(0, code, diagnostics.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass("SteeringExample").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {model.toString(), sae.toString(), "5"});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("position 1: ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("plain  : Once upon a time")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("steered: Once upon a time")), String.join("\n", lines));
    }
}
