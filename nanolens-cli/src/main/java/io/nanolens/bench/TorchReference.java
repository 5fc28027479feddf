package io.nanolens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch side of a benchmark: a script under {@code bench/} ({@link #GPT}: the same nanochat GPT in plain
 * PyTorch; {@link #GPT2}: GPT-2 in plain PyTorch; {@link #SAE}: SAE training as SAELens and sparsify do it) run by Debian's {@code /usr/bin/python3} as a
 * subprocess, one launch per measurement round, each printing JSON lines. It is found next to the working
 * directory, the jar or {@code -Dnanolens.home}; when the script, Python or its torch is missing, {@link #find}
 * says why and the benchmark prints nanolens's figures alone.
 */
final class TorchReference {
    /** How a user gets the reference on Debian. */
    static final String INSTALL_HINT = "apt-get install -y python3-torch python3-numpy libopenblas0-pthread";
    static final String GPT = "bench/gpt_torch.py";
    static final String GPT2 = "bench/gpt2_torch.py";
    static final String SAE = "bench/pytorch_sae_baseline.py";
    private static final long TIMEOUT_MINUTES = 30;

    private final Path python;
    private final Path script;
    private final String name;
    private final String version;

    private TorchReference(Path python, Path script, String name, String version) {
        this.python = python;
        this.script = script;
        this.name = name;
        this.version = version;
    }

    /**
     * The outcome of {@link #find}: the reference, or (reference null) why there is none, in one line.
     */
    record Lookup(TorchReference reference, String missing) {
        static Lookup missing(String why) {
            return new Lookup(null, why);
        }
    }

    /**
     * The reference {@code name} (e.g. {@link #GPT}), or why there is none: the script, {@code -Dnanolens.python}
     * (default /usr/bin/python3), torch.
     */
    static Lookup find(String name) {
        Optional<Path> script = locateScript(name);
        if (script.isEmpty()) {
            return Lookup.missing(name + " not found beside the working directory or the jar; run from the "
                    + "repository or pass -Dnanolens.home=REPO");
        }
        Path python = Path.of(System.getProperty("nanolens.python", "/usr/bin/python3"));
        if (!Files.isExecutable(python)) {
            return Lookup.missing(python + " not found (install with: " + INSTALL_HINT + ")");
        }
        try {
            Result r = run(List.of(python.toString(), "-c", "import numpy, torch; print(torch.__version__)"), 120);
            if (r.exit != 0 || r.stdout.isBlank()) {
                return Lookup.missing(python + " has no torch/numpy (install with: " + INSTALL_HINT + ")");
            }
            return new Lookup(new TorchReference(python, script.get(), name, r.stdout.strip()), null);
        } catch (IOException e) {
            return Lookup.missing("cannot run " + python + ": " + e.getMessage());
        }
    }

    /** The script {@code name} under -Dnanolens.home, or in the working directory, the jar's folder or a parent. */
    static Optional<Path> locateScript(String name) {
        List<Path> starts = new ArrayList<>();
        String home = System.getProperty("nanolens.home");
        if (home != null) {
            starts.add(Path.of(home));
        }
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(TorchReference.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code source (e.g. a custom class loader): the working directory and nanolens.home remain
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    String version() {
        return version;
    }

    Path script() {
        return script;
    }

    Path python() {
        return python;
    }

    String name() {
        return name;
    }

    /** Runs the script with {@code args} and returns its last JSON line. */
    JsonNode call(List<String> args) {
        List<JsonNode> lines = callAll(args);
        return lines.getLast();
    }

    /** Runs the script with {@code args} and returns every JSON line it printed, at least one. */
    List<JsonNode> callAll(List<String> args) {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
        command.addAll(args);
        try {
            Result r = run(command, TIMEOUT_MINUTES * 60);
            List<JsonNode> json = new ArrayList<>();
            ObjectMapper mapper = new ObjectMapper();
            for (String line : r.stdout.strip().split("\n")) {
                if (line.strip().startsWith("{")) {
                    json.add(mapper.readTree(line.strip()));
                }
            }
            if (r.exit != 0 || json.isEmpty()) {
                throw new IllegalStateException(name + " failed (exit " + r.exit + "): " + tail(r.stderr));
            }
            return json;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + name + ": " + e.getMessage(), e);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer after " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String text) {
        String s = text.strip();
        return s.length() > 400 ? "…" + s.substring(s.length() - 400) : s;
    }
}
