package io.nanolens.sae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.store.ActivationStream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Trains a sweep of SAEs on one activation stream: every step reads one batch and steps each SAE on it, so a
 * sweep over architecture, k, coefficient and width costs one harvest. Before the first step each SAE's b_dec is
 * set to the geometric median of the first batch (and, for unit-norm decoders, rows are normalised with
 * W_enc = W_decᵀ). Per step: the scheduled learning rate and sparsity coefficient, loss and backward, the decoder
 * constraint, Adam, dead-latent tracking; ReLU SAEs resample their dead latents a few times in the first half.
 * Metrics go to {@code metrics.jsonl} in the run directory every {@code logEvery} steps; a checkpoint is written
 * every {@code checkpointEvery} steps, at the end and when stopped, and {@link #resume} continues from it with
 * the same result as an uninterrupted run (the stream must replay the same rows: it is skipped past the rows
 * already trained on). A non-finite loss stops the run with a message naming the SAE and the step; the last
 * checkpoint stays as it was.
 */
public final class SaeTrainer {
    /** The metrics file in the run directory. */
    public static final String METRICS_FILE = "metrics.jsonl";

    private static final ObjectWriter LINE = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

    private final Path runDir;
    private final SaeTrainingConfig config;
    private final List<SaeRun> runs = new ArrayList<>();
    private volatile boolean stopRequested;
    private int step;
    private long tokens;

    /** Receives each step's metrics, one entry per SAE (on the training thread; keep it quick). */
    @FunctionalInterface
    public interface Listener {
        void onStep(int step, long tokens, List<SaeMetrics> metrics);
    }

    /** How a run ended: steps and tokens over every part of the run, and whether it was stopped early. */
    public record Result(int steps, long tokens, boolean stopped, List<SaeMetrics> last) {
    }

    /** A sweep member: its name (a directory name) and its SAE's config. */
    public record Spec(String name, SaeConfig config) {
        public Spec {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new NanolensException("SAE name '" + name + "' must be letters, digits, '.', '_' or '-'");
            }
        }
    }

    private SaeTrainer(Path runDir, SaeTrainingConfig config) {
        this.runDir = runDir;
        this.config = config;
    }

    /** A new run of fresh SAEs; {@code runDir} receives metrics and checkpoints. */
    public static SaeTrainer start(Path runDir, List<Spec> specs, SaeTrainingConfig config) {
        if (specs.isEmpty()) {
            throw new NanolensException("nothing to train: the sweep holds no SAE");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Spec s : specs) {
            if (!names.add(s.name())) {
                throw new NanolensException("two SAEs of the sweep are both named '" + s.name() + "'");
            }
        }
        SaeTrainer trainer = new SaeTrainer(runDir, config);
        trainer.addRuns(specs);
        try {
            Files.createDirectories(runDir);
            Files.deleteIfExists(runDir.resolve(METRICS_FILE));
        } catch (IOException e) {
            throw new NanolensException("cannot prepare run directory " + runDir + ": " + e.getMessage());
        }
        return trainer;
    }

    /** Whether {@code runDir} holds a checkpoint that {@link #resume} can continue. */
    public static boolean hasCheckpoint(Path runDir) {
        return SaeCheckpoint.exists(runDir);
    }

    /** Continues the run saved in {@code runDir}'s checkpoint, with the specs and config it was started with. */
    public static SaeTrainer resume(Path runDir, List<Spec> specs, SaeTrainingConfig config) {
        if (!SaeCheckpoint.exists(runDir)) {
            throw new NanolensException("no SAE checkpoint in " + runDir + " to resume; start without --resume");
        }
        SaeTrainer trainer = new SaeTrainer(runDir, config);
        trainer.addRuns(specs);
        SaeCheckpoint.State saved = SaeCheckpoint.load(runDir, trainer.runs);
        trainer.step = saved.step();
        trainer.tokens = saved.tokens();
        trainer.truncateMetrics();
        return trainer;
    }

    /** Fresh SAEs for the specs, each seeded from the run's seed and its place in the sweep. */
    private void addRuns(List<Spec> specs) {
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            runs.add(new SaeRun(s.name(), Sae.create(s.config(), config.seed() + 7919L * i), config));
        }
    }

    public List<SaeRun> runs() {
        return List.copyOf(runs);
    }

    /** Steps already taken (after a resume, the checkpoint's). */
    public int step() {
        return step;
    }

    /** Asks the loop to stop after the current step and write a checkpoint; safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains to the end of the token budget (or until stopped), reading batches from {@code stream}. */
    public Result train(ActivationStream stream, Listener listener) {
        int d = runs.getFirst().sae().dIn();
        for (SaeRun r : runs) {
            if (r.sae().dIn() != d) {
                throw new NanolensException("SAE '" + r.name() + "' has d_in " + r.sae().dIn() + " but '"
                        + runs.getFirst().name() + "' has " + d + "; a sweep shares one activation width");
            }
        }
        if (stream.width() != d) {
            throw new NanolensException("the activations are " + stream.width() + " wide but the SAEs have d_in "
                    + d + "; choose the hook the SAEs were made for");
        }
        int steps = config.steps();
        float[] x = new float[config.batchRows() * d];
        skip(stream, x, d);
        List<SaeMetrics> last = List.of();
        while (step < steps && !stopRequested) {
            int want = (int) Math.min(config.batchRows(), config.tokens() - tokens);
            int rows = stream.readFully(x, 0, want);
            if (rows == 0) {
                throw new NanolensException("the activations ran out after " + tokens + " of " + config.tokens()
                        + " tokens; harvest more or lower --tokens");
            }
            if (step == 0) {
                initialise(x, rows, d);
            }
            List<SaeMetrics> metrics = new ArrayList<>(runs.size());
            for (SaeRun r : runs) {
                SaeMetrics m = r.step(x, rows, step, tokens + rows, config.lrMultiplier(step),
                        config.sparsityMultiplier(step));
                if (!Double.isFinite(m.loss())) {
                    throw new NanolensException("SAE '" + r.name() + "' got a non-finite loss (" + m.loss()
                            + ") at step " + step + "; lower the learning rate (--lr); the last checkpoint in "
                            + runDir + " is intact");
                }
                if (config.resampleAfter(step) && r.sae().architecture() == Architecture.RELU) {
                    Resampler.resampleDead(r, x, rows, config.seed() + step);
                }
                metrics.add(m);
            }
            tokens += rows;
            last = metrics;
            boolean lastStep = step + 1 == steps;
            if (step % config.logEvery() == 0 || lastStep) {
                appendMetrics(metrics);
            }
            step++;
            if (listener != null) {
                listener.onStep(step, tokens, metrics);
            }
            if (lastStep || stopRequested
                    || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0)) {
                SaeCheckpoint.save(runDir, step, tokens, runs);
            }
        }
        return new Result(step, tokens, step < steps, last);
    }

    /** b_dec from the geometric median of the first batch; unit-norm decoders start normalised, W_enc = W_decᵀ. */
    private void initialise(float[] x, int rows, int d) {
        float[] median = GeometricMedian.of(x, rows, d, GeometricMedian.DEFAULT_ITERATIONS);
        for (SaeRun r : runs) {
            System.arraycopy(median, 0, r.sae().parameters().get(Sae.B_DEC).data(), 0, d);
            if (r.unitDecoderRows()) {
                float[] wDec = r.sae().parameters().get(Sae.W_DEC).data();
                DecoderNorms.normalizeRows(wDec, r.sae().dSae(), d);
                System.arraycopy(wDec, 0, r.sae().parameters().get(Sae.W_ENC).data(), 0, wDec.length);
            }
        }
    }

    /** After a resume: reads past the rows the checkpoint already trained on, so the next batch is the same. */
    private void skip(ActivationStream stream, float[] buffer, int d) {
        long left = tokens;
        while (left > 0) {
            int rows = stream.readFully(buffer, 0, (int) Math.min(left, buffer.length / d));
            if (rows == 0) {
                throw new NanolensException("the activations hold fewer rows than the checkpoint already trained "
                        + "on (" + tokens + "); resume with the same activations");
            }
            left -= rows;
        }
    }

    private void appendMetrics(List<SaeMetrics> metrics) {
        try (BufferedWriter w = Files.newBufferedWriter(runDir.resolve(METRICS_FILE), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (SaeMetrics m : metrics) {
                w.write(LINE.writeValueAsString(m));
                w.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + runDir.resolve(METRICS_FILE), e);
        }
    }

    /** Drops metrics lines past the checkpoint's step: the resumed run logs those steps again. */
    private void truncateMetrics() {
        Path file = runDir.resolve(METRICS_FILE);
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = Json.readTree(line, file.toString());
                if (node.path("step").asInt(Integer.MAX_VALUE) < step) {
                    kept.add(line);
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
