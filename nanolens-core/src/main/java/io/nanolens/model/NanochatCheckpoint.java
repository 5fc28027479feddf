package io.nanolens.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.TorchCheckpoint;
import io.nanolens.tensor.Tensor;
import io.nanolens.text.TiktokenPickle;
import io.nanolens.text.Tokenizer;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A checkpoint a nanochat run wrote (karpathy/nanochat {@code checkpoint_manager.py}), loaded as a {@link Gpt}: the
 * start of the model stage for models trained with nanochat itself. A checkpoint directory such as
 * {@code ~/.cache/nanochat/base_checkpoints/d20/} holds {@code model_XXXXXX.pt} (the state dict, read by
 * {@link TorchCheckpoint}; bfloat16 tensors widen exactly to float32, torch.compile's {@code _orig_mod.} prefix is
 * dropped) and {@code meta_XXXXXX.json} (its {@code model_config} gives the {@link GptConfig}). The highest step is
 * taken unless the path names a {@code model_XXXXXX.pt} itself. The tokenizer is nanochat's pickled tiktoken
 * encoding {@code tokenizer.pkl} ({@link TiktokenPickle}), looked for as {@code tokenizer.pkl} or
 * {@code tokenizer/tokenizer.pkl} in the checkpoint's directory, its parent and its grandparent (nanochat keeps it
 * at {@code <base dir>/tokenizer/tokenizer.pkl}, two levels above the checkpoints), then in
 * {@code $NANOCHAT_BASE_DIR/tokenizer/} and {@code ~/.cache/nanochat/tokenizer/}, nanochat's own places; or given
 * explicitly. Only nanochat v1's architecture is read (the one {@link Gpt} implements); a checkpoint from a later
 * nanochat (more model_config keys or tensors such as per-layer lambdas or value embeddings) is refused by name.
 */
public final class NanochatCheckpoint {
    /** The pickled tiktoken encoding nanochat's tokenizer stage writes. */
    public static final String TOKENIZER_FILE = "tokenizer.pkl";
    /** torch.compile wraps the model, and a compiled model's state dict names start with this. */
    static final String COMPILED_PREFIX = "_orig_mod.";
    private static final Pattern MODEL_FILE = Pattern.compile("model_(\\d+)\\.pt");
    private static final List<String> CONFIG_KEYS = List.of("sequence_len", "vocab_size", "n_layer", "n_head",
            "n_kv_head", "n_embd");

    private NanochatCheckpoint() {
    }

    /**
     * Whether {@code path} looks like nanochat's: a {@code model_XXXXXX.pt} file, or a directory without nanolens's
     * {@code config.json} that holds such files or has subdirectories that do.
     */
    public static boolean isCheckpoint(Path path) {
        if (Files.isRegularFile(path)) {
            return MODEL_FILE.matcher(path.getFileName().toString()).matches();
        }
        if (!Files.isDirectory(path) || Files.exists(path.resolve(GptFiles.CONFIG_FILE))) {
            return false;
        }
        return !modelFiles(path).isEmpty() || !checkpointSubdirectories(path).isEmpty();
    }

    /**
     * Loads the checkpoint at {@code path} (a checkpoint directory or a {@code model_XXXXXX.pt}) with the tokenizer
     * found next to it or in nanochat's base directory.
     *
     * @throws NanolensException if a file is missing or malformed, the architecture is not nanochat v1, or the
     *                           tokenizer does not fit the model
     */
    public static GptFiles.Loaded load(Path path) {
        Path model = modelFile(path);
        metaFile(model);
        return load(model, findTokenizer(model.toAbsolutePath().getParent()));
    }

    /**
     * Loads the checkpoint at {@code path} with the tokenizer pickled in {@code tokenizerFile}.
     *
     * @throws NanolensException as {@link #load(Path)}
     */
    public static GptFiles.Loaded load(Path path, Path tokenizerFile) {
        Path model = modelFile(path);
        Path metaFile = metaFile(model);
        JsonNode meta = Json.readTree(metaFile);
        GptConfig config = config(meta, metaFile);
        Tokenizer tokenizer = TiktokenPickle.read(tokenizerFile);
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new NanolensException(tokenizerFile + " has " + tokenizer.vocabSize() + " tokens but " + metaFile
                    + " says vocab_size " + config.vocabSize() + "; the tokenizer belongs to another nanochat run");
        }
        Gpt gpt = Gpt.of(config, parameters(model, config), true);
        return new GptFiles.Loaded(model.toAbsolutePath().getParent(), gpt, tokenizer,
                metadata(meta, model, tokenizerFile, stepDigits(model)));
    }

    /** meta_XXXXXX.json beside model_XXXXXX.pt, which must be there. */
    private static Path metaFile(Path model) {
        Path metaFile = model.resolveSibling("meta_" + stepDigits(model) + ".json");
        if (!Files.isRegularFile(metaFile)) {
            throw new NanolensException(model + " has no " + metaFile.getFileName() + " beside it; nanochat saves "
                    + "both at each checkpoint, copy the meta file too");
        }
        return metaFile;
    }

    /** The .pt file a path names: itself, or the highest step in a directory. */
    static Path modelFile(Path path) {
        if (Files.isRegularFile(path)) {
            if (!MODEL_FILE.matcher(path.getFileName().toString()).matches()) {
                throw new NanolensException(path + " is not named model_<step>.pt as nanochat names checkpoints");
            }
            return path;
        }
        List<Path> models = modelFiles(path);
        if (models.isEmpty()) {
            List<String> subdirectories = checkpointSubdirectories(path);
            throw new NanolensException(path + " holds no model_<step>.pt" + (subdirectories.isEmpty() ? ""
                    : "; its subdirectories " + subdirectories + " hold nanochat checkpoints, give one of them"));
        }
        return models.stream().max((a, b) -> Long.compare(step(a), step(b))).orElseThrow();
    }

    /** The tokenizer.pkl for a checkpoint in {@code dir}, from the places the class comment lists. */
    static Path findTokenizer(Path dir) {
        List<Path> candidates = new ArrayList<>();
        Path d = dir;
        for (int up = 0; up < 3 && d != null; up++, d = d.getParent()) {
            candidates.add(d.resolve(TOKENIZER_FILE));
            candidates.add(d.resolve("tokenizer").resolve(TOKENIZER_FILE));
        }
        String base = System.getenv("NANOCHAT_BASE_DIR");
        if (base != null && !base.isBlank()) {
            candidates.add(Path.of(base, "tokenizer", TOKENIZER_FILE));
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".cache", "nanochat", "tokenizer", TOKENIZER_FILE));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new NanolensException("no " + TOKENIZER_FILE + " for the nanochat checkpoint in " + dir + "; looked in "
                + candidates + "; copy nanochat's tokenizer/tokenizer.pkl next to the checkpoint");
    }

    /** model_config → GptConfig, refusing keys nanochat v1 does not have. */
    private static GptConfig config(JsonNode meta, Path metaFile) {
        JsonNode c = meta.path("model_config");
        if (!c.isObject()) {
            throw new NanolensException(metaFile + " has no model_config object; it is not a nanochat meta file");
        }
        List<String> extra = new ArrayList<>();
        c.fieldNames().forEachRemaining(k -> {
            if (!CONFIG_KEYS.contains(k)) {
                extra.add(k);
            }
        });
        if (!extra.isEmpty()) {
            throw new NanolensException(metaFile + ": model_config has " + extra + ", which nanochat v1 does not; "
                    + "this checkpoint is from a later nanochat architecture, and nanolens reads v1 ("
                    + CONFIG_KEYS + ")");
        }
        int[] v = new int[CONFIG_KEYS.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = c.path(CONFIG_KEYS.get(i));
            if (!n.isInt()) {
                throw new NanolensException(metaFile + ": model_config." + CONFIG_KEYS.get(i) + " is " + n
                        + ", not an integer; the file is damaged");
            }
            v[i] = n.intValue();
        }
        try {
            return new GptConfig(v[0], v[1], v[2], v[3], v[4], v[5]);
        } catch (NanolensException e) {
            throw new NanolensException(metaFile + ": model_config does not make a GPT: " + e.getMessage(), e);
        }
    }

    /** The state dict without torch.compile's prefix, checked name by name and shape by shape against the config. */
    private static Map<String, Tensor> parameters(Path model, GptConfig config) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        TorchCheckpoint.read(model).forEach((name, t) -> tensors.put(name.startsWith(COMPILED_PREFIX)
                ? name.substring(COMPILED_PREFIX.length()) : name, t));
        Map<String, int[]> expected = Gpt.parameterShapes(config);
        List<String> unexpected = tensors.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
        if (!unexpected.isEmpty()) {
            throw new NanolensException(model + " holds " + unexpected + ", which a nanochat v1 GPT does not have; "
                    + "the checkpoint is from a later nanochat architecture (nanolens reads v1)");
        }
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new NanolensException(model + " has no tensor '" + e.getKey() + "' that its meta file's "
                        + "model_config (" + config + ") needs; the files come from different runs");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new NanolensException(model + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but the meta file's model_config needs "
                        + Arrays.toString(e.getValue()) + "; the files come from different runs");
            }
        }
        return tensors;
    }

    /** format, checkpoint, tokenizer and step, then the meta file's other scalar entries (val_bpb, ...). */
    private static Map<String, String> metadata(JsonNode meta, Path model, Path tokenizer, String stepDigits) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("format", "nanochat");
        out.put("checkpoint", model.toString());
        out.put("tokenizer", tokenizer.toString());
        out.put("step", new BigInteger(stepDigits).toString());
        meta.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !out.containsKey(e.getKey())) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    private static List<Path> modelFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> MODEL_FILE.matcher(f.getFileName().toString()).matches()
                    && Files.isRegularFile(f)).toList();
        } catch (IOException e) {
            throw new NanolensException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> checkpointSubdirectories(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).filter(d -> !modelFiles(d).isEmpty())
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new NanolensException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String stepDigits(Path model) {
        Matcher m = MODEL_FILE.matcher(model.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalStateException("modelFile only returns model_<step>.pt files");
        }
        return m.group(1);
    }

    private static long step(Path model) {
        String digits = stepDigits(model);
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }
}
