package io.nanolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.io.TensorInfo;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.Gpt2Tokenizer;
import io.nanolens.text.Tokenizer;
import io.nanolens.text.Tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A GPT-2 in a Hugging Face model directory, the way openai-community/gpt2, distilgpt2 and gpt2-medium are
 * published: {@code config.json} (GPT2Config: model_type "gpt2", n_embd, n_layer, n_head, n_positions, vocab_size,
 * layer_norm_epsilon) and {@code model.safetensors} (Conv1D weights [in, out], names with or without the
 * {@code transformer.} prefix; the causal-mask buffers {@code attn.bias}/{@code attn.masked_bias} and a tied
 * {@code lm_head.weight} are skipped). {@link GptFiles#load} comes here when config.json has a model_type. The
 * tokenizer is a nanolens {@code tokenizer.json} when the directory has one, else GPT-2's r50k_base for a 50,257-token
 * vocabulary, else an {@link UnknownTokenizer}. Saving writes the same layout, without the prefix.
 */
final class Gpt2Files {
    /** The config.json key that marks a Hugging Face model directory. */
    static final String MODEL_TYPE = "model_type";
    private static final String PREFIX = "transformer.";
    private static final int GPT2_VOCAB = 50257;
    // Buffers, not parameters: GPT-2's causal mask (and its fill value) saved by older transformers versions.
    private static final Pattern BUFFER = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(masked_)?bias");
    private static final String LM_HEAD = "lm_head.weight";

    private Gpt2Files() {
    }

    /** Whether the parsed config.json is a Hugging Face one (it names a model_type). */
    static boolean isHuggingFace(JsonNode config) {
        return config.has(MODEL_TYPE);
    }

    /**
     * Reads a Hugging Face GPT-2 directory whose config.json is already parsed.
     *
     * @throws NanolensException if the model type, a setting, a file or a tensor is not what a GPT-2 needs
     */
    static GptFiles.Loaded load(Path dir, JsonNode json) {
        Path configFile = dir.resolve(GptFiles.CONFIG_FILE);
        GptConfig config = config(json, configFile);
        Path weightsFile = dir.resolve(GptFiles.WEIGHTS_FILE);
        if (!Files.isRegularFile(weightsFile)) {
            throw new NanolensException("Hugging Face model directory " + dir + " has no " + GptFiles.WEIGHTS_FILE
                    + "; nanolens reads safetensors weights only (download model.safetensors, not pytorch_model.bin)");
        }
        Tokenizer tokenizer = tokenizer(dir, json, config);
        try (SafeTensors weights = SafeTensors.open(weightsFile)) {
            String prefix = weights.contains(PREFIX + "wte.weight") ? PREFIX : "";
            Map<String, int[]> shapes = Gpt.parameterShapes(config);
            checkTensors(weights, shapes, prefix, config, weightsFile);
            Map<String, Tensor> parameters = new LinkedHashMap<>();
            for (String name : shapes.keySet()) {
                parameters.put(name, weights.load(prefix + name));
            }
            return new GptFiles.Loaded(dir, Gpt.of(config, parameters), tokenizer, weights.metadata());
        }
    }

    /** Writes a GPT-2 as a Hugging Face directory: config.json (GPT2Config keys) and model.safetensors. */
    static void save(Path dir, Gpt gpt, Map<String, String> metadata) {
        GptConfig c = gpt.config();
        ObjectNode json = Json.object();
        json.put(MODEL_TYPE, "gpt2");
        json.putArray("architectures").add("GPT2LMHeadModel");
        json.put("vocab_size", c.vocabSize());
        json.put("n_positions", c.sequenceLen());
        json.put("n_ctx", c.sequenceLen());
        json.put("n_embd", c.nEmbd());
        json.put("n_layer", c.nLayer());
        json.put("n_head", c.nHead());
        json.put("layer_norm_epsilon", c.normEps());
        json.put("activation_function", "gelu_new");
        json.put("bos_token_id", c.vocabSize() - 1);
        json.put("eos_token_id", c.vocabSize() - 1);
        json.put("tie_word_embeddings", true);
        Json.write(dir.resolve(GptFiles.CONFIG_FILE), json);
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("format", "pt");
        SafeTensors.write(dir.resolve(GptFiles.WEIGHTS_FILE), gpt.parameters(), meta);
    }

    /** The GptConfig of a GPT2Config, with GPT2Config's defaults for missing keys; unsupported variants rejected. */
    static GptConfig config(JsonNode json, Path file) {
        String type = json.path(MODEL_TYPE).asText("");
        if (!type.equals("gpt2")) {
            throw new NanolensException(file + " describes a \"" + type + "\" model; nanolens reads Hugging Face "
                    + "directories of model_type \"gpt2\" (gpt2, distilgpt2, gpt2-medium, ...) and nanochat models");
        }
        int d = integer(json, "n_embd", 768, file);
        JsonNode inner = json.path("n_inner");
        if (!inner.isMissingNode() && !inner.isNull() && inner.asInt() != 4 * d) {
            throw unsupported(file, "n_inner " + inner.asText(), "n_inner null or 4·n_embd = " + 4 * d);
        }
        String activation = json.path("activation_function").asText("gelu_new");
        if (!activation.equals("gelu_new") && !activation.equals("gelu_pytorch_tanh")) {
            throw unsupported(file, "activation_function \"" + activation + "\"", "\"gelu_new\" (GELU, tanh form)");
        }
        requireFlag(json, "scale_attn_weights", true, file);
        requireFlag(json, "scale_attn_by_inverse_layer_idx", false, file);
        requireFlag(json, "tie_word_embeddings", true, file);
        double eps = json.path("layer_norm_epsilon").asDouble(GptConfig.GPT2_EPS);
        return GptConfig.gpt2(integer(json, "n_positions", 1024, file), integer(json, "vocab_size", GPT2_VOCAB, file),
                integer(json, "n_layer", 12, file), integer(json, "n_head", 12, file), d, (float) eps);
    }

    /** A nanolens tokenizer.json if there is one, GPT-2's for its vocabulary size, else one that knows only ids. */
    private static Tokenizer tokenizer(Path dir, JsonNode json, GptConfig config) {
        Path file = dir.resolve(GptFiles.TOKENIZER_FILE);
        Tokenizer tokenizer;
        if (Files.isRegularFile(file) && Json.readTree(file).has("type")) {
            tokenizer = Tokenizers.load(dir);
        } else if (config.vocabSize() == GPT2_VOCAB) {
            tokenizer = new Gpt2Tokenizer();
        } else {
            int bos = json.path("bos_token_id").asInt(config.vocabSize() - 1);
            return new UnknownTokenizer(dir, config.vocabSize(),
                    bos >= 0 && bos < config.vocabSize() ? bos : config.vocabSize() - 1);
        }
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new NanolensException("the " + tokenizer.name() + " tokenizer of " + dir + " has "
                    + tokenizer.vocabSize() + " tokens but config.json says vocab_size " + config.vocabSize()
                    + "; the files come from different models");
        }
        return tokenizer;
    }

    /** Every tensor GPT-2 needs is there (under the prefix) with its shape; anything else is a known buffer. */
    private static void checkTensors(SafeTensors weights, Map<String, int[]> shapes, String prefix, GptConfig config,
                                     Path file) {
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            String name = prefix + e.getKey();
            if (!weights.contains(name)) {
                throw new NanolensException(file + " has no tensor '" + name + "' that config.json ("
                        + describe(config) + ") needs; the files come from different models or the download is "
                        + "incomplete");
            }
            checkShape(weights.info(name), e.getValue(), config, file);
        }
        for (String name : weights.names()) {
            boolean known = name.startsWith(prefix) && shapes.containsKey(name.substring(prefix.length()));
            if (name.equals(LM_HEAD)) {
                checkShape(weights.info(name), new int[] {config.vocabSize(), config.nEmbd()}, config, file);
            } else if (!known && !BUFFER.matcher(name).matches()) {
                throw new NanolensException(file + " holds tensor '" + name + "' that a GPT-2 with "
                        + describe(config) + " does not have; the files come from different models");
            }
        }
    }

    private static void checkShape(TensorInfo info, int[] shape, GptConfig config, Path file) {
        long[] want = Arrays.stream(shape).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), want)) {
            throw new NanolensException(file + ": tensor '" + info.name() + "' has shape "
                    + Arrays.toString(info.shape()) + " but config.json (" + describe(config) + ") needs "
                    + Arrays.toString(want) + "; the files come from different models");
        }
    }

    private static int integer(JsonNode json, String key, int fallback, Path file) {
        JsonNode v = json.path(key);
        if (v.isMissingNode()) {
            return fallback;
        }
        if (!v.isInt() || v.intValue() < 1) {
            throw new NanolensException(file + ": " + key + " is " + v + " but must be a positive whole number");
        }
        return v.intValue();
    }

    private static void requireFlag(JsonNode json, String key, boolean supported, Path file) {
        JsonNode v = json.path(key);
        if (!v.isMissingNode() && v.asBoolean(supported) != supported) {
            throw unsupported(file, key + " " + v, key + " " + supported);
        }
    }

    private static NanolensException unsupported(Path file, String found, String needed) {
        return new NanolensException(file + " sets " + found + ", a GPT-2 variant nanolens does not run; it needs "
                + needed);
    }

    private static String describe(GptConfig c) {
        return "vocab_size " + c.vocabSize() + ", n_positions " + c.sequenceLen() + ", n_layer " + c.nLayer()
                + ", n_embd " + c.nEmbd() + ", n_head " + c.nHead();
    }
}
