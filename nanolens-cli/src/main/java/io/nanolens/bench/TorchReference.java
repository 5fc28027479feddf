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
 * The PyTorch side of {@code ./nanolens bench model}: {@code bench/gpt_torch.py} (the same nanochat GPT in plain
 * PyTorch) run by Debian's {@code /usr/bin/python3} as a subprocess, one launch per measurement round, each
 * printing one JSON line. It is found next to the working directory, the jar or {@code -Dnanolens.home}; when the
 * script, Python or its torch is missing, {@link #find} says why and the benchmark prints nanolens's figures alone.
 */
final class TorchReference {
    /** How a user gets the reference on Debian. */
    static final String INSTALL_HINT = "apt-get install -y python3-torch python3-numpy libopenblas0-pthread";
    static final String SCRIPT = "bench/gpt_torch.py";
    private static final long TIMEOUT_MINUTES = 30;

    private final Path python;
    private final Path script;
    private final String version;

    private TorchReference(Path python, Path script, String version) {
        this.python = python;
        this.script = script;
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

    /** The reference, or why there is none: the script, {@code -Dnanolens.python} (default /usr/bin/python3), torch. */
    static Lookup find() {
        Optional<Path> script = locateScript();
        if (script.isEmpty()) {
            return Lookup.missing(SCRIPT + " not found beside the working directory or the jar; run from the "
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
            return new Lookup(new TorchReference(python, script.get(), r.stdout.strip()), null);
        } catch (IOException e) {
            return Lookup.missing("cannot run " + python + ": " + e.getMessage());
        }
    }

    /** {@code bench/gpt_torch.py} under -Dnanolens.home, or in the working directory, the jar's folder or a parent. */
    static Optional<Path> locateScript() {
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
                Path candidate = dir.resolve(SCRIPT);
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

    /** Runs the script with {@code args} and returns its last JSON line. */
    JsonNode call(List<String> args) {
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString()));
        command.addAll(args);
        try {
            Result r = run(command, TIMEOUT_MINUTES * 60);
            String[] lines = r.stdout.strip().split("\n");
            String last = lines[lines.length - 1].strip();
            if (r.exit != 0 || !last.startsWith("{")) {
                throw new IllegalStateException(SCRIPT + " failed (exit " + r.exit + "): " + tail(r.stderr));
            }
            return new ObjectMapper().readTree(last);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + SCRIPT + ": " + e.getMessage(), e);
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
