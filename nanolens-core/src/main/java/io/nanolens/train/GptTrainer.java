package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptFiles;
import io.nanolens.model.GptState;
import io.nanolens.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a {@link Gpt} on a token stream, nanochat's base_train loop on the CPU: each step draws a [B, T + 1] batch,
 * runs forward and backward, clips the global gradient norm, and steps AdamW (embedding, head, and the block
 * matrices unless Muon takes them) at the scheduled rate. Every {@code evalEvery} steps it measures the loss on a
 * fixed set of validation batches; every step goes to the listener and to {@code train_log.jsonl}; every
 * {@code checkpointEvery} steps (and at the end, or when asked to stop) the whole state is saved atomically in the
 * run directory, so {@link #resume} continues bit for bit as if never stopped. The run directory is also a model
 * directory ({@link GptFiles}): the tokenizer is saved at the start and the weights with every checkpoint. A
 * non-finite loss, gradient norm or weight stops the run with a {@link NanolensException} naming the step, before
 * anything bad is saved.
 */
public final class GptTrainer implements AutoCloseable {
    /** The training config inside the run directory. */
    public static final String CONFIG_FILE = "train_config.json";
    // nanochat's Muon momentum warm-up (base_train.py get_muon_momentum): 0.85 → 0.95 over 300 steps.
    private static final float MUON_MOMENTUM_START = 0.85f;
    private static final int MUON_MOMENTUM_WARMUP = 300;
    private static final double LOSS_SMOOTHING = 0.9;   // EMA of the training loss for the summary, as nanochat

    private final Path runDir;
    private final Gpt gpt;
    private final TrainConfig config;
    private final LrSchedule schedule;
    private final TrainingData.Batches data;
    private final GptState state;
    private final int[] inputs;           // [B, T]
    private final int[] targets;          // [B, T]
    private final AdamW adamW = new AdamW();
    private final Muon muon;              // null when AdamW updates the matrices too
    private final MetricsLog log;
    private volatile boolean stopRequested;
    private long step;
    private long tokens;
    private double elapsedBefore;         // seconds spent in earlier parts of a resumed run
    private long lastCheckpoint = -1;
    private double smoothLoss;
    private int smoothedSteps;            // steps in smoothLoss (this part of the run only)
    private float lastValLoss = Float.NaN;
    private long lastValLossStep = -1;
    private GptState evalState;           // made at the first evaluation

    /** Receives each step's metrics (on the training thread; keep it quick). */
    @FunctionalInterface
    public interface Listener {
        void onStep(MetricsLog.Entry entry);

        /** Called after a checkpoint has been written. */
        default void onCheckpoint(long step, Path file) {
        }
    }

    /**
     * How a run ended.
     *
     * @param steps     steps taken, over every part of the run
     * @param tokens    training tokens seen
     * @param trainLoss smoothed training loss at the end (exponential average, debiased)
     * @param valLoss   validation loss at the last evaluation
     * @param seconds   training time over every part of the run
     * @param stopped   true when {@link #requestStop()} ended the run before its last step
     */
    public record Result(long steps, long tokens, float trainLoss, float valLoss, double seconds, boolean stopped) {
    }

    private GptTrainer(Path runDir, Gpt gpt, TrainConfig config, TrainingData data, long keepLogThrough) {
        if (config.seqLen() > gpt.config().sequenceLen()) {
            throw new NanolensException("seq_len " + config.seqLen() + " is longer than the model's context "
                    + gpt.config().sequenceLen() + "; use a sequence length of at most " + gpt.config().sequenceLen());
        }
        if (data.tokenizer().vocabSize() != gpt.config().vocabSize()) {
            throw new NanolensException("the tokenizer has " + data.tokenizer().vocabSize() + " tokens but the model's "
                    + "vocabulary is " + gpt.config().vocabSize() + "; build the model with the tokenizer's size");
        }
        this.runDir = runDir;
        this.gpt = gpt;
        this.config = config;
        this.schedule = config.schedule();
        this.data = data.open(config.batch(), config.seqLen(), config.evalBatches());
        this.state = GptState.forTraining(gpt.config(), config.batch(), config.seqLen());
        this.inputs = new int[config.batch() * config.seqLen()];
        this.targets = new int[inputs.length];
        this.muon = config.matrixOptimizer() == TrainConfig.MatrixOptimizer.MUON ? new Muon() : null;
        addParameters();
        data.tokenizer().save(runDir);
        Json.write(runDir.resolve(CONFIG_FILE), config);
        this.log = MetricsLog.open(runDir.resolve(MetricsLog.FILE_NAME), keepLogThrough);
    }

    /** A new run of {@code gpt} (freshly initialised) in {@code runDir}, which is created if missing. */
    public static GptTrainer start(Path runDir, Gpt gpt, TrainConfig config, TrainingData data) {
        return new GptTrainer(runDir, gpt, config, data, 0);
    }

    /** The checkpoint in {@code runDir}, to read its configs before resuming. */
    public static Checkpoint checkpoint(Path runDir) {
        return Checkpoint.read(runDir.resolve(Checkpoint.FILE_NAME));
    }

    /** True if {@code runDir} holds a checkpoint to resume from. */
    public static boolean hasCheckpoint(Path runDir) {
        return Files.isRegularFile(runDir.resolve(Checkpoint.FILE_NAME));
    }

    /**
     * Continues the run saved in {@code checkpoint} with {@code config} (the saved one, or one with changed rates,
     * steps or intervals; only the saved one reproduces an uninterrupted run exactly).
     *
     * @throws NanolensException if the checkpoint does not fit the data or the config
     */
    public static GptTrainer resume(Path runDir, Checkpoint checkpoint, TrainConfig config, TrainingData data) {
        Gpt gpt = Gpt.of(checkpoint.modelConfig(), checkpoint.model());
        GptTrainer trainer = new GptTrainer(runDir, gpt, config, data, checkpoint.step());
        trainer.adamW.load(checkpoint.optimizer(), checkpoint.adamSteps());
        if (trainer.muon != null) {
            trainer.muon.load(checkpoint.optimizer());
        }
        trainer.data.training().seek(checkpoint.position());
        trainer.step = checkpoint.step();
        trainer.tokens = checkpoint.tokens();
        trainer.elapsedBefore = checkpoint.elapsedSeconds();
        trainer.lastCheckpoint = checkpoint.step();
        return trainer;
    }

    public Gpt gpt() {
        return gpt;
    }

    public TrainConfig config() {
        return config;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /** Asks the training loop to stop after the current step and save a checkpoint (callable from any thread). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains until {@link TrainConfig#steps()} (or a stop request), then evaluates and checkpoints. */
    public Result train(Listener listener) {
        long started = System.nanoTime();
        while (step < config.steps() && !stopRequested) {
            long t0 = System.nanoTime();
            float[] lossAndNorm = trainStep();
            double stepSeconds = (System.nanoTime() - t0) / 1e9;
            boolean last = step == config.steps();
            Float valLoss = null;
            if (step % config.evalEvery() == 0 || last) {
                lastValLoss = validationLoss();
                lastValLossStep = step;
                valLoss = lastValLoss;
            }
            double elapsed = elapsedBefore + (System.nanoTime() - started) / 1e9;
            MetricsLog.Entry entry = new MetricsLog.Entry(step, tokens, lossAndNorm[0], valLoss,
                    schedule.multiplier((int) step - 1), lossAndNorm[1], config.tokensPerStep() / stepSeconds, elapsed);
            log.append(entry);
            listener.onStep(entry);
            if (step % config.checkpointEvery() == 0 || last || stopRequested) {
                checkpoint(elapsed);
                listener.onCheckpoint(step, runDir.resolve(Checkpoint.FILE_NAME));
            }
        }
        if (Float.isNaN(lastValLoss)) {
            lastValLoss = validationLoss();
        }
        double seconds = elapsedBefore + (System.nanoTime() - started) / 1e9;
        return new Result(step, tokens, smoothLoss(), lastValLoss, seconds, step < config.steps());
    }

    /** One optimizer step; returns {loss, gradient norm before clipping}. */
    float[] trainStep() {
        data.training().next(inputs, targets);
        gpt.zeroGradients();
        float loss = gpt.forward(state, inputs, config.batch(), config.seqLen(), targets, null);
        checkFinite("the training loss", loss, step + 1);
        gpt.backward(state);
        float norm = GradientNorm.clip(gpt.gradients().values(), config.gradClip());
        checkFinite("the gradient norm", norm, step + 1);
        float multiplier = schedule.multiplier((int) step);
        adamW.step(multiplier);
        if (muon != null) {
            float warm = Math.min(1f, step / (float) MUON_MOMENTUM_WARMUP);
            muon.step(multiplier, (1 - warm) * MUON_MOMENTUM_START + warm * Muon.DEFAULT_MOMENTUM);
        }
        step++;
        tokens += config.tokensPerStep();
        smoothLoss = LOSS_SMOOTHING * smoothLoss + (1 - LOSS_SMOOTHING) * loss;
        smoothedSteps++;
        return new float[] {loss, norm};
    }

    /** Mean loss over the fixed validation batches. */
    public float validationLoss() {
        if (evalState == null) {
            evalState = GptState.forInference(gpt.config(), config.batch(), config.seqLen());
        }
        double sum = 0;
        for (int[][] batch : data.validation()) {
            sum += gpt.forward(evalState, batch[0], config.batch(), config.seqLen(), batch[1], null);
        }
        float loss = (float) (sum / data.validation().size());
        checkFinite("the validation loss", loss, step);
        return loss;
    }

    /** Saves the whole training state atomically into the run directory. */
    private void checkpoint(double elapsed) {
        for (Map.Entry<String, Tensor> e : gpt.parameters().entrySet()) {
            for (float x : e.getValue().data()) {
                if (!Float.isFinite(x)) {
                    throw diverged("weight " + e.getKey() + " holds " + x, step);
                }
            }
        }
        Map<String, Tensor> optimizer = new LinkedHashMap<>(adamW.state());
        if (muon != null) {
            optimizer.putAll(muon.state());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("step", Long.toString(step));
        metadata.put("planned_steps", Integer.toString(config.steps()));
        metadata.put("tokens", Long.toString(tokens));
        if (lastValLossStep == step) {
            metadata.put("val_loss", Float.toString(lastValLoss));
        }
        GptFiles.save(runDir, gpt, metadata);
        new Checkpoint(step, tokens, data.training().position(), adamW.steps(), elapsed, config, gpt.config(),
                gpt.parameters(), optimizer).write(runDir.resolve(Checkpoint.FILE_NAME));
        lastCheckpoint = step;
    }

    private void addParameters() {
        Map<String, Tensor> gradients = gpt.gradients();
        gpt.parameters().forEach((name, p) -> {
            Tensor g = gradients.get(name);
            if (name.equals("transformer.wte.weight")) {
                adamW.add(name, p, g, config.embeddingLr(), 0f);
            } else if (name.equals("lm_head.weight")) {
                adamW.add(name, p, g, config.unembeddingLr(), 0f);
            } else if (muon != null) {
                muon.add(name, p, g, config.matrixLr());
            } else {
                adamW.add(name, p, g, config.matrixLr(), config.weightDecay());
            }
        });
    }

    private float smoothLoss() {
        return smoothedSteps == 0 ? Float.NaN
                : (float) (smoothLoss / (1 - Math.pow(LOSS_SMOOTHING, smoothedSteps)));
    }

    private void checkFinite(String what, float value, long atStep) {
        if (!Float.isFinite(value)) {
            throw diverged(what + " is " + value, atStep);
        }
    }

    /** The error for a run that went numerically wrong at 1-based step {@code atStep}. */
    private NanolensException diverged(String what, long atStep) {
        String kept = lastCheckpoint < 0 ? "no checkpoint was written yet; start again"
                : "the last good checkpoint (step " + lastCheckpoint + ") is kept in "
                + runDir.resolve(Checkpoint.FILE_NAME) + "; resume from it";
        return new NanolensException("training diverged at step " + atStep + ": " + what + "; " + kept
                + " with lower learning rates");
    }

    @Override
    public void close() {
        data.close();
        log.close();
    }
}
