package io.nanolens.sae.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Dtype;
import io.nanolens.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code manifest.json} of an activation directory: where the rows came from (model, hook point, context size,
 * whether BOS rows were left out, corpus), how they are stored (width d_in, dtype, the shard files in harvest order
 * with their row counts) and SAELens's normalisation factor over all of them, ready to be folded into an SAE on
 * save. Keys are snake_case and reuse SAELens's names where it has one ({@code hook_name}, {@code context_size},
 * {@code exclude_special_tokens}, {@code norm_scaling_factor}). The manifest is written last and atomically, so a
 * directory with a manifest is complete; {@link #read} checks every field and names what is wrong.
 *
 * @param formatVersion        {@value #FORMAT_VERSION}
 * @param modelName            the model the rows were harvested from (its directory or name)
 * @param hookName             TransformerLens hook name, also the tensor name inside each shard
 * @param dIn                  values per row
 * @param dtype                {@value #FLOAT32} or {@value #BFLOAT16}: how the shards store the values
 * @param contextSize          tokens per context during the harvest
 * @param excludeSpecialTokens whether rows at BOS positions were left out
 * @param corpus               the corpus source the documents came from
 * @param tokens               rows over all shards
 * @param normScalingFactor    √d_in / mean‖x‖ over all rows ({@link ActivationScaler})
 * @param shards               the shard files in harvest order
 */
public record ActivationManifest(int formatVersion, String modelName, String hookName, int dIn, String dtype,
                                 int contextSize, boolean excludeSpecialTokens, String corpus, long tokens,
                                 double normScalingFactor, List<Shard> shards) {

    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "manifest.json";
    public static final String FLOAT32 = "float32";
    public static final String BFLOAT16 = "bfloat16";

    /** A plain file name: no directory part, so a manifest can never point outside its directory. */
    private static final Pattern MISSING_FIELD = Pattern.compile("Missing (?:required )?creator property '([^']+)'");
    private static final Pattern SHARD_FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}");

    /**
     * One shard file of the directory.
     *
     * @param file file name inside the activation directory
     * @param rows rows the file holds
     */
    public record Shard(String file, long rows) {
    }

    /**
     * Where harvested rows come from; what a manifest says besides the storage.
     *
     * @param modelName            the model (its directory or name)
     * @param hookName             TransformerLens hook name
     * @param contextSize          tokens per context
     * @param excludeSpecialTokens whether BOS rows were left out
     * @param corpus               the corpus source
     */
    public record Origin(String modelName, String hookName, int contextSize, boolean excludeSpecialTokens,
                         String corpus) {
        public Origin {
            Objects.requireNonNull(modelName, "modelName");
            Objects.requireNonNull(hookName, "hookName");
            Objects.requireNonNull(corpus, "corpus");
        }
    }

    public ActivationManifest {
        shards = shards == null ? null : List.copyOf(shards);
    }

    /** A manifest of the current format for rows of {@code origin} stored as {@code stored} (F32 or BF16). */
    static ActivationManifest of(Origin origin, int dIn, Dtype stored, long tokens, double factor,
                                 List<Shard> shards) {
        return new ActivationManifest(FORMAT_VERSION, origin.modelName(), origin.hookName(), dIn, dtypeName(stored),
                origin.contextSize(), origin.excludeSpecialTokens(), origin.corpus(), tokens, factor, shards);
    }

    /**
     * Reads and checks {@code dir/manifest.json}.
     *
     * @throws NanolensException if the file is missing, not valid JSON, lacks a field or holds a wrong value
     */
    public static ActivationManifest read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new NanolensException("no activation manifest " + file + ": the directory holds no complete "
                    + "collection; run nanolens collect with --out " + dir);
        }
        JsonNode tree = Json.readTree(file);
        ActivationManifest manifest;
        try {
            manifest = Json.mapper().readerFor(ActivationManifest.class)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                            DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                            DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .treeToValue(tree, ActivationManifest.class);
        } catch (JacksonException | IllegalArgumentException e) {
            throw damaged(file, reason(e));
        }
        manifest.check(file);
        return manifest;
    }

    /** Writes this manifest to {@code dir/manifest.json}, atomically. */
    public void write(Path dir) {
        Json.write(dir.resolve(FILE_NAME), this);
    }

    /** The safetensors dtype the shards are stored in. */
    public Dtype storedDtype() {
        return switch (dtype) {
            case FLOAT32 -> Dtype.F32;
            case BFLOAT16 -> Dtype.BF16;
            default -> throw new IllegalStateException("unchecked dtype " + dtype);
        };
    }

    /** The manifest's name for a shard dtype. */
    static String dtypeName(Dtype stored) {
        return switch (stored) {
            case F32 -> FLOAT32;
            case BF16 -> BFLOAT16;
            default -> throw new NanolensException("activation shards are stored as float32 or bfloat16, not "
                    + stored.name().toLowerCase(Locale.ROOT));
        };
    }

    private void check(Path file) {
        if (formatVersion != FORMAT_VERSION) {
            throw damaged(file, "format_version is " + formatVersion + " but this nanolens reads version "
                    + FORMAT_VERSION);
        }
        if (hookName.isBlank() || dIn < 1 || contextSize < 1 || tokens < 1) {
            throw damaged(file, "hook_name '" + hookName + "', d_in " + dIn + ", context_size " + contextSize
                    + ", tokens " + tokens + ": the name must be set and the numbers at least 1");
        }
        if (!FLOAT32.equals(dtype) && !BFLOAT16.equals(dtype)) {
            throw damaged(file, "dtype '" + dtype + "' is neither " + FLOAT32 + " nor " + BFLOAT16);
        }
        if (!(normScalingFactor > 0) || Double.isInfinite(normScalingFactor)) {
            throw damaged(file, "norm_scaling_factor " + normScalingFactor + " is not a positive number");
        }
        if (shards.isEmpty()) {
            throw damaged(file, "it lists no shards");
        }
        long sum = 0;
        for (Shard shard : shards) {
            if (shard == null || shard.file() == null || !SHARD_FILE.matcher(shard.file()).matches()
                    || shard.rows() < 1) {
                throw damaged(file, "shard entry " + shard + " needs a plain file name and at least 1 row");
            }
            sum += shard.rows();
        }
        if (sum != tokens) {
            throw damaged(file, "its shards hold " + sum + " rows in all but tokens is " + tokens);
        }
    }

    /** Jackson's complaint in a few words: the missing field's name, or its message's first clause. */
    private static String reason(Exception e) {
        String message = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
        String line = String.valueOf(message).lines().findFirst().orElse("unreadable content");
        Matcher missing = MISSING_FIELD.matcher(line);
        if (missing.find()) {
            return "it lacks the field '" + missing.group(1) + "'";
        }
        int clause = line.indexOf(';');
        return clause > 0 ? line.substring(0, clause) : line;
    }

    private static NanolensException damaged(Path file, String fault) {
        return new NanolensException("activation manifest " + file + ": " + fault
                + "; the directory is damaged, collect the activations again");
    }
}
