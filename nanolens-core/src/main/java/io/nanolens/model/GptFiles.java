package io.nanolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.io.TensorInfo;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Tokenizer;
import io.nanolens.text.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model on disk, the end of the training stage and the start of every later one (tokens → GPT →
 * activations): a directory holding {@code config.json} (the {@link GptConfig} with nanochat's {@code model_config}
 * keys: sequence_len, vocab_size, n_layer, n_head, n_kv_head, n_embd), {@code model.safetensors} (float32 weights
 * under nanochat's state-dict names, [out, in] for Linear weights), {@code tokenizer.json} and
 * {@code train_log.jsonl} (the training history; not needed to load). {@link #load} checks that the files agree
 * (tokenizer size against the config's vocabulary, every tensor's name and shape against the config) before it
 * reads a weight, and says in one line which file is wrong. A Hugging Face GPT-2 directory (config.json with a
 * {@code model_type}, model.safetensors) loads too, through {@link Gpt2Files}, and a GPT-2 is saved in that layout.
 */
public final class GptFiles {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String TOKENIZER_FILE = Tokenizers.FILE_NAME;
    public static final String LOG_FILE = "train_log.jsonl";

    private GptFiles() {
    }

    /**
     * A model read from its directory.
     *
     * @param dir       the directory it was read from
     * @param gpt       the model over the loaded weights
     * @param tokenizer the tokenizer it was trained with
     * @param metadata  the weight file's metadata (training step, tokens, validation loss when written by a trainer)
     */
    public record Loaded(Path dir, Gpt gpt, Tokenizer tokenizer, Map<String, String> metadata) {
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} into {@code dir} (created if missing), each atomically;
     * the tokenizer is saved by its owner ({@link Tokenizer#save}). A GPT-2 is written as a Hugging Face directory.
     */
    public static void save(Path dir, Gpt gpt, Map<String, String> metadata) {
        if (gpt.config().family() == GptConfig.Family.GPT2) {
            Gpt2Files.save(dir, gpt, metadata);
            return;
        }
        Json.write(dir.resolve(CONFIG_FILE), gpt.config());
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), gpt.parameters(), metadata);
    }

    /**
     * Reads the model in {@code dir} after checking that its files are there and agree. A nanochat checkpoint
     * directory or {@code model_XXXXXX.pt} file is read by {@link NanochatCheckpoint#load(Path)}.
     *
     * @throws NanolensException if the directory or a file is missing or malformed, the tokenizer's size differs
     *                           from the config's vocabulary, or a tensor is missing, unexpected or of another shape
     */
    public static Loaded load(Path dir) {
        if (NanochatCheckpoint.isCheckpoint(dir)) {
            return NanochatCheckpoint.load(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new NanolensException("model directory " + dir + " does not exist; train one with "
                    + "./nanolens train-model --out " + dir);
        }
        if (Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
            JsonNode json = Json.readTree(dir.resolve(CONFIG_FILE));
            if (Gpt2Files.isHuggingFace(json)) {
                return Gpt2Files.load(dir, json);
            }
        }
        for (String name : List.of(CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new NanolensException("model directory " + dir + " has no " + name + "; a model directory holds "
                        + CONFIG_FILE + ", " + WEIGHTS_FILE + " and " + TOKENIZER_FILE + " (train it again or copy "
                        + "the missing file)");
            }
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        GptConfig config = Json.read(configFile, GptConfig.class);
        Tokenizer tokenizer = Tokenizers.load(dir);
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new NanolensException(dir.resolve(TOKENIZER_FILE) + " has " + tokenizer.vocabSize() + " tokens but "
                    + configFile + " says vocab_size " + config.vocabSize() + "; the files come from different models");
        }
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        try (SafeTensors weights = SafeTensors.open(weightsFile)) {
            checkTensors(weights, config, weightsFile);
            Map<String, Tensor> parameters = new LinkedHashMap<>();
            for (String name : Gpt.parameterShapes(config).keySet()) {
                parameters.put(name, weights.load(name));
            }
            return new Loaded(dir, Gpt.of(config, parameters), tokenizer, weights.metadata());
        }
    }

    /** Every tensor the config needs is there with its shape, and nothing else is. */
    private static void checkTensors(SafeTensors weights, GptConfig config, Path file) {
        Map<String, int[]> expected = Gpt.parameterShapes(config);
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            if (!weights.contains(e.getKey())) {
                throw new NanolensException(file + " has no tensor '" + e.getKey() + "' that config.json ("
                        + describe(config) + ") needs; the files come from different models");
            }
            TensorInfo info = weights.info(e.getKey());
            long[] want = Arrays.stream(e.getValue()).asLongStream().toArray();
            if (!Arrays.equals(info.shape(), want)) {
                throw new NanolensException(file + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(info.shape()) + " but config.json (" + describe(config) + ") needs "
                        + Arrays.toString(want) + "; the files come from different models");
            }
        }
        for (String name : weights.names()) {
            if (!expected.containsKey(name)) {
                throw new NanolensException(file + " holds tensor '" + name + "' that a nanochat v1 GPT with "
                        + describe(config) + " does not have; the files come from different models");
            }
        }
    }

    private static String describe(GptConfig c) {
        return "vocab_size " + c.vocabSize() + ", n_layer " + c.nLayer() + ", n_embd " + c.nEmbd() + ", n_head "
                + c.nHead() + ", n_kv_head " + c.nKvHead();
    }
}
