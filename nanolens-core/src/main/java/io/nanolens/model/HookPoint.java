package io.nanolens.model;

import io.nanolens.NanolensException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named place in the forward pass where activations can be read or replaced, named as TransformerLens names it
 * (transformer_lens/components/*.py): {@code blocks.{L}.hook_resid_pre} and friends. Hook points are where the
 * data walk leaves the model: tokens → GPT → activations at a hook point → SAE.
 *
 * @param layer block index, 0 ≤ layer < nLayer
 * @param kind  which activation of the block
 */
public record HookPoint(int layer, Kind kind) {

    private static final Pattern NAME = Pattern.compile("blocks\\.(\\d{1,6})\\.(.+)");

    /** The activations a block exposes, in the order the forward pass produces them. */
    public enum Kind {
        /** Residual stream entering the block [rows, d]. */
        RESID_PRE("hook_resid_pre"),
        /** Attention output after its projection [rows, d]. */
        ATTN_OUT("hook_attn_out"),
        /** Residual stream between attention and MLP [rows, d]. */
        RESID_MID("hook_resid_mid"),
        /** MLP hidden activation [rows, 4d]: relu(x)² (nanochat) or GELU(x) (GPT-2). */
        MLP_POST("mlp.hook_post"),
        /** MLP output after its projection [rows, d]. */
        MLP_OUT("hook_mlp_out"),
        /** Residual stream leaving the block [rows, d]. */
        RESID_POST("hook_resid_post");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }

        /** The name after {@code blocks.{L}.}, e.g. {@code hook_resid_pre}. */
        public String suffix() {
            return suffix;
        }
    }

    public HookPoint {
        if (layer < 0 || kind == null) {
            throw new IllegalArgumentException("hook point needs a layer ≥ 0 and a kind, got " + layer + ", " + kind);
        }
    }

    /**
     * Parses a TransformerLens name such as {@code blocks.2.hook_resid_post} for a model of this config.
     *
     * @throws NanolensException naming the valid names if the name is unknown or the layer out of range
     */
    public static HookPoint parse(String name, GptConfig config) {
        Matcher m = NAME.matcher(name == null ? "" : name.strip());
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            for (Kind kind : Kind.values()) {
                if (kind.suffix.equals(m.group(2)) && layer < config.nLayer()) {
                    return new HookPoint(layer, kind);
                }
            }
        }
        throw new NanolensException("unknown hook point '" + name + "'; valid names are " + validNames(config));
    }

    /** Every hook point of a model, block by block in forward order. */
    public static List<HookPoint> all(GptConfig config) {
        List<HookPoint> points = new ArrayList<>(config.nLayer() * Kind.values().length);
        for (int layer = 0; layer < config.nLayer(); layer++) {
            for (Kind kind : Kind.values()) {
                points.add(new HookPoint(layer, kind));
            }
        }
        return points;
    }

    /** The TransformerLens name, e.g. {@code blocks.2.mlp.hook_post}. */
    public String name() {
        return "blocks." + layer + "." + kind.suffix;
    }

    /** Values per row at this point: 4·d for {@link Kind#MLP_POST}, d elsewhere. */
    public int width(GptConfig config) {
        return kind == Kind.MLP_POST ? config.mlpDim() : config.nEmbd();
    }

    @Override
    public String toString() {
        return name();
    }

    private static String validNames(GptConfig config) {
        StringBuilder names = new StringBuilder();
        for (Kind kind : Kind.values()) {
            names.append(names.isEmpty() ? "" : ", ").append("blocks.{L}.").append(kind.suffix);
        }
        return names + " with L in 0.." + (config.nLayer() - 1);
    }
}
