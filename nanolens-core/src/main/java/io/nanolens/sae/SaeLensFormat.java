package io.nanolens.sae;

import io.nanolens.NanolensException;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.io.TensorInfo;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes an SAE directory in SAELens's layout, the form in which SAEs leave and enter nanolens
 * (FORMATS.md §2.1; SAELens saes/sae.py {@code save_model}, loading/pretrained_sae_loaders.py): {@code cfg.json}
 * ({@link SaeLensConfig}), {@code sae_weights.safetensors} with W_enc [d_in, d_sae], b_enc [d_sae], W_dec
 * [d_sae, d_in], b_dec [d_in] (JumpReLU adds threshold [d_sae]; Gated has b_gate, b_mag, r_mag [d_sae] instead of
 * b_enc) and optionally {@code sparsity.safetensors} with one tensor "sparsity" [d_sae] of log10 firing densities.
 * BatchTopK and Matryoshka SAEs are written for inference as JumpReLU with their threshold on every latent, as
 * SAELens does. Every file is written atomically, the config last, so a directory whose config exists is complete.
 * Reading checks keys, shapes and values and reports each problem as one {@link NanolensException} naming the file.
 */
public final class SaeLensFormat {
    public static final String CONFIG_FILE = "cfg.json";
    public static final String WEIGHTS_FILE = "sae_weights.safetensors";
    public static final String SPARSITY_FILE = "sparsity.safetensors";

    private static final String SPARSITY = "sparsity";
    // Pre-5 SAELens files may hold a fine-tuning scale; all ones means it was never used and can be ignored.
    private static final String SCALING_FACTOR = "scaling_factor";
    // SAELens clamps decoder norms at this before dividing by them (topk_sae.py _fold_norm_topk).
    private static final float MIN_DECODER_NORM = 1e-8f;

    private SaeLensFormat() {
    }

    /**
     * Writes {@code content} into {@code dir} (created if missing), replacing any SAE there; a directory without
     * densities loses a stale {@code sparsity.safetensors}.
     *
     * @throws NanolensException if a file cannot be written
     */
    public static void write(Path dir, SaeDirectory content) {
        Sae sae = content.sae();
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), weights(sae), Map.of());
        Path sparsity = dir.resolve(SPARSITY_FILE);
        if (content.log10Density() != null) {
            SafeTensors.write(sparsity, Map.of(SPARSITY, Tensor.of(content.log10Density().clone(), sae.dSae())),
                    Map.of());
        } else {
            try {
                Files.deleteIfExists(sparsity);
            } catch (IOException e) {
                throw new NanolensException("cannot remove the stale " + sparsity + ": " + e, e);
            }
        }
        Json.write(dir.resolve(CONFIG_FILE), SaeLensConfig.toJson(sae, content.metadata()));
    }

    /**
     * Reads an SAE directory written by nanolens or SAELens (version 6 or older configs).
     *
     * @throws NanolensException if the directory or a file is missing, malformed, or does not fit the config
     */
    public static SaeDirectory read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new NanolensException("SAE directory " + dir + " does not exist; give a directory holding "
                    + CONFIG_FILE + " and " + WEIGHTS_FILE);
        }
        Path cfgFile = dir.resolve(CONFIG_FILE);
        if (!Files.exists(cfgFile)) {
            throw new NanolensException("SAE directory " + dir + " has no " + CONFIG_FILE + "; an SAE in SAELens's "
                    + "layout holds " + CONFIG_FILE + " and " + WEIGHTS_FILE);
        }
        SaeLensConfig cfg = SaeLensConfig.read(cfgFile);
        Map<String, Tensor> tensors = readWeights(dir.resolve(WEIGHTS_FILE), cfg);
        Sae sae = build(cfg, tensors, cfgFile);
        Path sparsityFile = dir.resolve(SPARSITY_FILE);
        float[] density = Files.exists(sparsityFile) ? readSparsity(sparsityFile, cfg.dSae()) : null;
        return new SaeDirectory(sae, cfg.metadata(), density);
    }

    /** The state dict SAELens's inference class of this SAE holds, in SAELens's names and layouts. */
    private static Map<String, Tensor> weights(Sae sae) {
        int d = sae.dIn();
        int m = sae.dSae();
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("W_enc", Tensor.of(transpose(sae.wEnc, m, d), d, m));
        if (sae.bEnc != null) {
            w.put("b_enc", Tensor.of(sae.bEnc.clone(), m));
        }
        w.put("W_dec", Tensor.of(sae.wDec.clone(), m, d));
        w.put("b_dec", Tensor.of(sae.bDec.clone(), d));
        float[] threshold = new float[m];
        switch (sae) {
            case JumpReluSae j -> {
                j.thresholds(threshold);
                w.put("threshold", Tensor.of(threshold, m));
            }
            case BatchThresholdSae b -> {
                Arrays.fill(threshold, (float) b.batchThreshold());
                w.put("threshold", Tensor.of(threshold, m));
            }
            case GatedSae g -> {
                w.put("b_gate", Tensor.of(g.bGate.clone(), m));
                w.put("b_mag", Tensor.of(g.bMag.clone(), m));
                w.put("r_mag", Tensor.of(g.rMag.clone(), m));
            }
            default -> {
            }
        }
        return w;
    }

    /** Expected tensor names and shapes of a SAELens inference SAE. */
    private static Map<String, int[]> expectedShapes(SaeLensConfig cfg) {
        int d = cfg.dIn();
        int m = cfg.dSae();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("W_enc", new int[] {d, m});
        shapes.put("W_dec", new int[] {m, d});
        shapes.put("b_dec", new int[] {d});
        List<String> vectors = switch (cfg.architecture()) {
            case "jumprelu" -> List.of("b_enc", "threshold");
            case "gated" -> List.of("b_gate", "b_mag", "r_mag");
            default -> List.of("b_enc");
        };
        vectors.forEach(name -> shapes.put(name, new int[] {m}));
        return shapes;
    }

    private static Map<String, Tensor> readWeights(Path file, SaeLensConfig cfg) {
        Map<String, int[]> expected = expectedShapes(cfg);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(file)) {
            for (String name : st.names()) {
                if (!expected.containsKey(name) && !(name.equals(SCALING_FACTOR) && allOnes(st.load(name)))) {
                    throw new NanolensException("SAE weights " + file + " hold an unexpected tensor '" + name
                            + "'; a " + cfg.architecture() + " SAE has exactly " + expected.keySet());
                }
            }
            for (Map.Entry<String, int[]> e : expected.entrySet()) {
                String name = e.getKey();
                if (!st.contains(name)) {
                    throw new NanolensException("SAE weights " + file + " lack tensor '" + name + "'; a "
                            + cfg.architecture() + " SAE needs " + expected.keySet());
                }
                TensorInfo info = st.info(name);
                if (!Arrays.equals(info.shape(), Arrays.stream(e.getValue()).asLongStream().toArray())) {
                    throw new NanolensException("SAE weights " + file + ": '" + name + "' has shape "
                            + Arrays.toString(info.shape()) + " but " + CONFIG_FILE + " says d_in = " + cfg.dIn()
                            + ", d_sae = " + cfg.dSae() + ", which need " + Arrays.toString(e.getValue()));
                }
                Tensor t = st.load(name);
                checkFinite(t.data(), name, file);
                tensors.put(name, t);
            }
        }
        return tensors;
    }

    private static Sae build(SaeLensConfig cfg, Map<String, Tensor> w, Path cfgFile) {
        int d = cfg.dIn();
        int m = cfg.dSae();
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put(Sae.W_ENC, Tensor.of(transpose(w.get("W_enc").data(), d, m), m, d));
        if (w.containsKey("b_enc")) {
            p.put(Sae.B_ENC, w.get("b_enc"));
        }
        p.put(Sae.W_DEC, w.get("W_dec"));
        p.put(Sae.B_DEC, w.get("b_dec"));
        float[] threshold = w.containsKey("threshold") ? w.get("threshold").data() : null;
        if (cfg.training() != null && threshold != null && uniform(threshold)) {
            return restoreBatchTopK(cfg, p, threshold[0], cfgFile);
        }
        return switch (cfg.architecture()) {
            case "jumprelu" -> {
                float[] log = new float[m];
                for (int i = 0; i < m; i++) {
                    // A negative threshold lets every positive value through, exactly as a zero one does.
                    log[i] = JumpReluSae.logThresholdOf(Math.max(threshold[i], 0f));
                }
                p.put(Sae.LOG_THRESHOLD, Tensor.of(log, m));
                yield Sae.of(config(cfg, Architecture.JUMP_RELU, 0, null, cfgFile), p);
            }
            case "gated" -> {
                p.put(Sae.B_GATE, w.get("b_gate"));
                p.put(Sae.B_MAG, w.get("b_mag"));
                p.put(Sae.R_MAG, w.get("r_mag"));
                yield Sae.of(config(cfg, Architecture.GATED, 0, null, cfgFile), p);
            }
            case "topk" -> {
                if (cfg.rescaleActsByDecoderNorm()) {
                    foldDecoderNorms(p.get(Sae.W_ENC).data(), p.get(Sae.B_ENC).data(), p.get(Sae.W_DEC).data(), m, d);
                }
                yield Sae.of(config(cfg, Architecture.TOP_K, cfg.k(), List.of(m), cfgFile), p);
            }
            default -> Sae.of(config(cfg, Architecture.RELU, 0, null, cfgFile), p);
        };
    }

    /** The BatchTopK or Matryoshka SAE that nanolens saved as JumpReLU with one threshold θ on every latent. */
    private static Sae restoreBatchTopK(SaeLensConfig cfg, Map<String, Tensor> p, float theta, Path cfgFile) {
        SaeLensConfig.Training t = cfg.training();
        Sae sae = Sae.of(config(cfg, t.architecture(), t.k(), t.prefixes(), cfgFile), p);
        sae.setBatchThreshold(Math.max(theta, 0f));
        return sae;
    }

    private static SaeConfig config(SaeLensConfig cfg, Architecture a, int k, List<Integer> prefixes, Path file) {
        try {
            SaeConfig c = SaeConfig.of(a, cfg.dIn(), cfg.dSae()).withApplyBDecToInput(cfg.applyBDecToInput());
            return a.usesK() ? c.withK(k).withPrefixes(prefixes) : c;
        } catch (NanolensException e) {
            throw new NanolensException("SAE config " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * SAELens's TopK with rescale_acts_by_decoder_norm ranks pre·‖W_dec_i‖ and decodes f/‖W_dec_i‖; scaling
     * encoder row i and b_enc_i by ‖W_dec_i‖ and decoder row i by its inverse gives the same outputs without it.
     */
    private static void foldDecoderNorms(float[] wEnc, float[] bEnc, float[] wDec, int m, int d) {
        for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int c = 0; c < d; c++) {
                sum += (double) wDec[i * d + c] * wDec[i * d + c];
            }
            float norm = Math.max((float) Math.sqrt(sum), MIN_DECODER_NORM);
            bEnc[i] *= norm;
            for (int c = 0; c < d; c++) {
                wEnc[i * d + c] *= norm;
                wDec[i * d + c] /= norm;
            }
        }
    }

    private static float[] readSparsity(Path file, int dSae) {
        try (SafeTensors st = SafeTensors.open(file)) {
            if (!st.contains(SPARSITY)) {
                throw new NanolensException("sparsity file " + file + " has no tensor '" + SPARSITY + "'; it holds "
                        + st.names() + "; remove the file or write it again");
            }
            TensorInfo info = st.info(SPARSITY);
            if (info.numel() != dSae || info.rank() != 1) {
                throw new NanolensException("sparsity file " + file + ": '" + SPARSITY + "' has shape "
                        + Arrays.toString(info.shape()) + " but d_sae = " + dSae + "; it belongs to another SAE");
            }
            return st.load(SPARSITY).data();
        }
    }

    /** b [cols, rows] = aᵀ for a [rows, cols], in tiles so both sides are read and written in cache lines. */
    private static float[] transpose(float[] a, int rows, int cols) {
        final int tile = 64;
        float[] b = new float[a.length];
        for (int r0 = 0; r0 < rows; r0 += tile) {
            for (int c0 = 0; c0 < cols; c0 += tile) {
                for (int r = r0; r < Math.min(rows, r0 + tile); r++) {
                    for (int c = c0; c < Math.min(cols, c0 + tile); c++) {
                        b[c * rows + r] = a[r * cols + c];
                    }
                }
            }
        }
        return b;
    }

    private static boolean uniform(float[] v) {
        for (float x : v) {
            if (Float.compare(x, v[0]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean allOnes(Tensor t) {
        for (float x : t.data()) {
            if (x != 1f) {
                return false;
            }
        }
        return true;
    }

    private static void checkFinite(float[] values, String name, Path file) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NanolensException("SAE weights " + file + ": '" + name + "' holds " + values[i]
                        + " at index " + i + "; the SAE is corrupt or diverged, use another checkpoint");
            }
        }
    }
}
