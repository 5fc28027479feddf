package io.nanolens.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code cfg.json} of an SAE directory in SAELens's layout (FORMATS.md §2.1; SAELens saes/sae.py
 * {@code SAEConfig.to_dict}, loading/pretrained_sae_loaders.py {@code handle_pre_6_0_config}). Version 6 puts the
 * inference fields at the top level (d_in, d_sae, dtype, device, apply_b_dec_to_input, normalize_activations,
 * reshape_activations, architecture, k for TopK) and the provenance in a {@code metadata} block; older configs are
 * flat, name the hook {@code hook_point} and a TopK SAE by {@code activation_fn_str: "topk"} with
 * {@code activation_fn_kwargs.k}. Both are read; version 6 is written. BatchTopK and Matryoshka SAEs are saved as
 * JumpReLU as SAELens does, and nanolens adds a {@code nanolens} entry to the metadata naming the training
 * architecture so that it can restore them; SAELens keeps such entries as plain metadata.
 *
 * @param architecture             the SAELens inference architecture: standard, topk, jumprelu or gated
 * @param dIn                      d_in
 * @param dSae                     d_sae
 * @param k                        TopK: latents per row; 0 otherwise
 * @param applyBDecToInput         apply_b_dec_to_input
 * @param rescaleActsByDecoderNorm TopK rescale_acts_by_decoder_norm (its weights must be folded on load)
 * @param metadata                 the metadata block without the nanolens entry
 * @param training                 the nanolens training architecture of a JumpReLU-saved SAE, or null
 */
record SaeLensConfig(String architecture, int dIn, int dSae, int k, boolean applyBDecToInput,
                     boolean rescaleActsByDecoderNorm, SaeMetadata metadata, Training training) {

    /**
     * How a SAE saved as JumpReLU was trained, so that nanolens can restore it.
     *
     * @param architecture BatchTopK or Matryoshka
     * @param k            latents kept per row on average
     * @param prefixes     Matryoshka prefix widths
     */
    record Training(Architecture architecture, int k, List<Integer> prefixes) {
    }

    /** The SAELens layout version written; SAELens reads configs older than 6.0 as flat ones. */
    static final String LAYOUT_VERSION = "6.18.0";

    private static final Set<String> ARCHITECTURES = Set.of("standard", "topk", "jumprelu", "gated");
    private static final String NANOLENS = "nanolens";
    private static final String SAE_LENS_VERSION = "sae_lens_version";
    private static final String SAE_LENS_TRAINING_VERSION = "sae_lens_training_version";
    // SAELens LLM_METADATA_KEYS that nanolens interprets; the others stay in SaeMetadata.other.
    private static final String MODEL_NAME = "model_name";
    private static final String HOOK_NAME = "hook_name";
    private static final String HOOK_HEAD_INDEX = "hook_head_index";
    private static final String CONTEXT_SIZE = "context_size";
    private static final String PREPEND_BOS = "prepend_bos";
    private static final String EXCLUDE_SPECIAL_TOKENS = "exclude_special_tokens";
    private static final String DATASET_PATH = "dataset_path";
    // Further keys the pre-6.0 loader moves from the flat config into the metadata block.
    private static final Set<String> FLAT_METADATA = Set.of("model_class_name", "seqpos_slice",
            "model_from_pretrained_kwargs", "sequence_separator_token", "disable_concat_sequences", "neuronpedia_id",
            "sae_lens_version", "sae_lens_training_version", "hook_name_out", "hook_head_index_out");

    /**
     * Reads and checks a cfg.json, version 6 or older.
     *
     * @throws NanolensException if the file is missing, not JSON, lacks a field or holds a value nanolens cannot use
     */
    static SaeLensConfig read(Path file) {
        JsonNode root = Json.readTree(file);
        if (!root.isObject()) {
            throw new NanolensException("SAE config " + file + " is not a JSON object; write it again");
        }
        return root.has("metadata") ? readV6(root, file) : readFlat(root, file);
    }

    private static SaeLensConfig readV6(JsonNode root, Path file) {
        JsonNode meta = root.get("metadata");
        if (!meta.isObject()) {
            throw new NanolensException("SAE config " + file + ": 'metadata' must be a JSON object");
        }
        String architecture = text(root, "architecture", null, file);
        return build(root, architecture, root.has("k") ? positive(root, "k", file) : 0, meta, file);
    }

    private static SaeLensConfig readFlat(JsonNode root, Path file) {
        ObjectNode meta = Json.object();
        root.fields().forEachRemaining(e -> {
            String key = e.getKey().equals("hook_point") ? HOOK_NAME
                    : e.getKey().equals("hook_point_head_index") ? HOOK_HEAD_INDEX : e.getKey();
            if (isMetadataKey(key)) {
                meta.set(key, e.getValue());
            }
        });
        String activation = root.has("activation_fn_str") ? text(root, "activation_fn_str", "relu", file)
                : text(root, "activation_fn", "relu", file);
        String architecture = text(root, "architecture", "standard", file);
        int k = 0;
        if (activation.equals("topk")) {
            architecture = "topk";
            JsonNode kwargs = root.path("activation_fn_kwargs");
            if (!kwargs.path("k").canConvertToInt() || kwargs.path("k").asInt() < 1) {
                throw new NanolensException("SAE config " + file + " uses activation_fn 'topk' but has no positive "
                        + "activation_fn_kwargs.k; add it");
            }
            k = kwargs.path("k").asInt();
        } else if (root.has("k")) {
            k = positive(root, "k", file);
        }
        return build(root, architecture, k, meta, file);
    }

    private static SaeLensConfig build(JsonNode root, String architecture, int k, JsonNode meta, Path file) {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new NanolensException("SAE config " + file + " names architecture '" + architecture
                    + "', which nanolens cannot load; it reads " + ARCHITECTURES.stream().sorted().toList()
                    + " (BatchTopK and Matryoshka SAEs are saved as jumprelu)");
        }
        int dIn = positive(root, "d_in", file);
        int dSae = root.has("d_sae") || !root.has("expansion_factor") ? positive(root, "d_sae", file)
                : Math.multiplyExact(dIn, positive(root, "expansion_factor", file));
        if (architecture.equals("topk") && (k < 1 || k > dSae)) {
            throw new NanolensException("SAE config " + file + ": a topk SAE needs k in [1, d_sae = " + dSae
                    + "], found " + (k == 0 ? "none" : k));
        }
        String normalize = root.path("normalize_activations").isBoolean()
                ? (root.get("normalize_activations").asBoolean() ? "expected_average_only_in" : "none")
                : text(root, "normalize_activations", "none", file);
        if (!normalize.equals("none") && !normalize.equals("expected_average_only_in")) {
            throw new NanolensException("SAE config " + file + " sets normalize_activations '" + normalize
                    + "', a per-input transform nanolens does not apply; it reads none and expected_average_only_in");
        }
        String reshape = text(root, "reshape_activations", "none", file);
        if (!reshape.equals("none") && !reshape.equals("hook_z")) {
            throw new NanolensException("SAE config " + file + " sets reshape_activations '" + reshape
                    + "'; expected none or hook_z");
        }
        boolean rescale = bool(root, "rescale_acts_by_decoder_norm", false, file);
        return new SaeLensConfig(architecture, dIn, dSae, architecture.equals("topk") ? k : 0,
                bool(root, "apply_b_dec_to_input", true, file), rescale, metadata(meta, file),
                training(meta.get(NANOLENS), dSae, file));
    }

    /** The config as SAELens 6 writes it, for an SAE of this architecture. */
    static ObjectNode toJson(Sae sae, SaeMetadata metadata) {
        ObjectNode root = Json.object();
        root.put("d_in", sae.dIn());
        root.put("d_sae", sae.dSae());
        root.put("dtype", "float32");
        root.put("device", "cpu");
        root.put("apply_b_dec_to_input", sae.config().applyBDecToInput());
        root.put("normalize_activations", "none");
        root.put("reshape_activations", "none");
        ObjectNode meta = root.putObject("metadata");
        meta.put(SAE_LENS_VERSION, LAYOUT_VERSION);
        meta.putNull(SAE_LENS_TRAINING_VERSION);
        metadata.other().forEach((key, value) -> {
            if (!key.equals(SAE_LENS_VERSION)) {
                meta.set(key, Json.toTree(value));
            }
        });
        meta.put(MODEL_NAME, metadata.modelName());
        meta.put(HOOK_NAME, metadata.hookName());
        meta.put(HOOK_HEAD_INDEX, metadata.hookHeadIndex());
        meta.put(CONTEXT_SIZE, metadata.contextSize());
        meta.put(PREPEND_BOS, metadata.prependBos());
        meta.put(EXCLUDE_SPECIAL_TOKENS, metadata.excludeSpecialTokens());
        meta.put(DATASET_PATH, metadata.datasetPath());
        Architecture a = sae.architecture();
        if (a == Architecture.BATCH_TOP_K || a == Architecture.MATRYOSHKA) {
            ObjectNode training = meta.putObject(NANOLENS);
            training.put("architecture", a.id());
            training.put("k", sae.config().k());
            ArrayNode widths = training.putArray("prefixes");
            sae.config().prefixes().forEach(widths::add);
        }
        if (a == Architecture.TOP_K) {
            root.put("k", sae.config().k());
            root.put("rescale_acts_by_decoder_norm", false);
        }
        root.put("architecture", a.inferenceName());
        return root;
    }

    private static boolean isMetadataKey(String key) {
        return key.equals(MODEL_NAME) || key.equals(HOOK_NAME) || key.equals(HOOK_HEAD_INDEX)
                || key.equals(CONTEXT_SIZE) || key.equals(PREPEND_BOS) || key.equals(EXCLUDE_SPECIAL_TOKENS)
                || key.equals(DATASET_PATH) || FLAT_METADATA.contains(key);
    }

    private static SaeMetadata metadata(JsonNode meta, Path file) {
        Map<String, Object> other = new LinkedHashMap<>();
        meta.fields().forEachRemaining(e -> {
            if (!isInterpreted(e.getKey(), e.getValue())) {
                other.put(e.getKey(), Json.mapper().convertValue(e.getValue(), Object.class));
            }
        });
        return new SaeMetadata(text(meta, MODEL_NAME, null, file), text(meta, HOOK_NAME, null, file),
                optionalInt(meta, HOOK_HEAD_INDEX, file), optionalInt(meta, CONTEXT_SIZE, file),
                bool(meta, PREPEND_BOS, true, file), bool(meta, EXCLUDE_SPECIAL_TOKENS, false, file),
                text(meta, DATASET_PATH, null, file), other);
    }

    /** Keys read into fields, or describing the file rather than the activations. */
    private static boolean isInterpreted(String key, JsonNode value) {
        return key.equals(SAE_LENS_VERSION) || (key.equals(SAE_LENS_TRAINING_VERSION) && value.isNull())
                || key.equals(NANOLENS) || key.equals(MODEL_NAME) || key.equals(HOOK_NAME) || key.equals(HOOK_HEAD_INDEX)
                || key.equals(CONTEXT_SIZE) || key.equals(PREPEND_BOS) || key.equals(EXCLUDE_SPECIAL_TOKENS)
                || key.equals(DATASET_PATH);
    }

    private static Training training(JsonNode node, int dSae, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        String id = text(node, "architecture", null, file);
        Architecture a = Architecture.of(id);
        if (a != Architecture.BATCH_TOP_K && a != Architecture.MATRYOSHKA) {
            throw new NanolensException("SAE config " + file + ": metadata.nanolens.architecture '" + id
                    + "' is not one saved as jumprelu; expected batchtopk or matryoshka");
        }
        List<Integer> prefixes = new ArrayList<>();
        node.path("prefixes").forEach(w -> prefixes.add(w.asInt()));
        return new Training(a, positive(node, "k", file), prefixes.isEmpty() ? List.of(dSae) : prefixes);
    }

    private static int positive(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new NanolensException("SAE config " + file + ": '" + key + "' must be a positive integer, found "
                    + (v == null ? "nothing" : v.toString()) + "; fix the file");
        }
        return v.asInt();
    }

    private static Integer optionalInt(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new NanolensException("SAE config " + file + ": '" + key + "' must be an integer or null, found "
                    + v + "; fix the file");
        }
        return v.asInt();
    }

    private static String text(JsonNode node, String key, String fallback, Path file) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null && key.equals("architecture")) {
                throw new NanolensException("SAE config " + file + " has no 'architecture'; a SAELens 6 config "
                        + "names one of standard, topk, jumprelu, gated");
            }
            return fallback;
        }
        if (!v.isTextual()) {
            throw new NanolensException("SAE config " + file + ": '" + key + "' must be a string, found " + v
                    + "; fix the file");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback, Path file) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new NanolensException("SAE config " + file + ": '" + key + "' must be true or false, found " + v
                    + "; fix the file");
        }
        return v.asBoolean();
    }
}
