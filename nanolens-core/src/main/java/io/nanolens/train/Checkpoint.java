package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.model.GptConfig;
import io.nanolens.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a training run needs to continue exactly where it stopped, in one safetensors file written atomically
 * ({@code checkpoint.safetensors} in the model directory): the weights ({@code model.NAME}), the optimizer state
 * ({@code optim.NAME.exp_avg}, {@code optim.NAME.exp_avg_sq}, {@code optim.NAME.momentum_buffer}), and as metadata
 * the step, tokens seen, data position, AdamW's step count, training time and both configs as JSON. Values are
 * stored as float32 bit for bit, so a resumed run computes exactly what an uninterrupted one would. Training uses
 * no random numbers after initialisation, so there is no generator state to save.
 *
 * @param step           optimizer steps taken
 * @param tokens         training tokens seen
 * @param position       where the training data continues
 * @param adamSteps      AdamW's step count (its bias corrections)
 * @param elapsedSeconds training time so far
 * @param trainConfig    the run's training config
 * @param modelConfig    the model's shape
 * @param model          weights by nanochat state-dict name
 * @param optimizer      optimizer state by name
 */
public record Checkpoint(long step, long tokens, TokenBatches.Position position, long adamSteps,
                         double elapsedSeconds, TrainConfig trainConfig, GptConfig modelConfig,
                         Map<String, Tensor> model, Map<String, Tensor> optimizer) {
    /** The file name inside a model directory. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    private static final String FORMAT = "nanolens-train-checkpoint-1";
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";

    /** Writes the checkpoint atomically: a reader sees the previous checkpoint or this one, never a mix. */
    public void write(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((name, t) -> tensors.put(MODEL + name, t));
        optimizer.forEach((name, t) -> tensors.put(OPTIM + name, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("tokens", Long.toString(tokens));
        meta.put("data_position", compact(position));
        meta.put("adam_steps", Long.toString(adamSteps));
        meta.put("elapsed_s", Double.toString(elapsedSeconds));
        meta.put("train_config", compact(trainConfig));
        meta.put("model_config", compact(modelConfig));
        SafeTensors.write(file, tensors, meta);
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws NanolensException if the file is missing, damaged or not a nanolens training checkpoint
     */
    public static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NanolensException("no training checkpoint at " + file + "; a run writes one every "
                    + "checkpoint_every steps: start the run without resuming");
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new NanolensException(file + " is not a nanolens training checkpoint (format "
                        + meta.get("format") + ", expected " + FORMAT + ")");
            }
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> optimizer = new LinkedHashMap<>();
            for (String name : st.names()) {
                if (name.startsWith(MODEL)) {
                    model.put(name.substring(MODEL.length()), st.load(name));
                } else if (name.startsWith(OPTIM)) {
                    optimizer.put(name.substring(OPTIM.length()), st.load(name));
                } else {
                    throw new NanolensException(file + " holds an unexpected tensor '" + name + "'; the file is not "
                            + "a nanolens checkpoint");
                }
            }
            return new Checkpoint(number(meta, "step", file), number(meta, "tokens", file),
                    parse(meta, "data_position", TokenBatches.Position.class, file), number(meta, "adam_steps", file),
                    Double.parseDouble(required(meta, "elapsed_s", file)),
                    parse(meta, "train_config", TrainConfig.class, file),
                    parse(meta, "model_config", GptConfig.class, file), model, optimizer);
        } catch (NumberFormatException e) {
            throw new NanolensException(file + " has a malformed number in its metadata (" + e.getMessage()
                    + "); the checkpoint is damaged: start a new run", e);
        }
    }

    private static String compact(Object value) {
        return Json.toTree(value).toString();
    }

    private static String required(Map<String, String> meta, String key, Path file) {
        String value = meta.get(key);
        if (value == null) {
            throw new NanolensException(file + " lacks the metadata key '" + key + "'; the checkpoint is damaged: "
                    + "start a new run");
        }
        return value;
    }

    private static long number(Map<String, String> meta, String key, Path file) {
        return Long.parseLong(required(meta, key, file));
    }

    private static <T> T parse(Map<String, String> meta, String key, Class<T> type, Path file) {
        String source = file + " (" + key + ")";
        return Json.convert(Json.readTree(required(meta, key, file), source), type, source);
    }
}
