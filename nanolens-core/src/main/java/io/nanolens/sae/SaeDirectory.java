package io.nanolens.sae;

/**
 * What an SAE directory in SAELens's layout holds, as {@link SaeLensFormat} reads and writes it: the SAE, the
 * metadata of its activations and, when the directory has a {@code sparsity.safetensors}, each latent's firing
 * density as log10(density + 1e-10).
 *
 * @param sae          the SAE, ready to encode
 * @param metadata     model, hook and prompt settings of the activations
 * @param log10Density [d_sae] log10 of each latent's firing fraction (+1e-10), or null when not recorded
 */
public record SaeDirectory(Sae sae, SaeMetadata metadata, float[] log10Density) {

    /** SAELens adds this before taking log10, so that dead latents get −10 instead of −∞. */
    public static final double DENSITY_EPSILON = 1e-10;

    public SaeDirectory {
        if (log10Density != null && log10Density.length != sae.dSae()) {
            throw new IllegalArgumentException("log10 density has " + log10Density.length + " entries for d_sae = "
                    + sae.dSae());
        }
    }

    /** log10(density + 1e-10) of each firing fraction, as SAELens stores it. */
    public static float[] log10Density(float[] density) {
        double[] wide = new double[density.length];
        for (int i = 0; i < density.length; i++) {
            wide[i] = density[i];
        }
        return log10Density(wide);
    }

    /** {@link #log10Density(float[])} of fractions counted in double precision. */
    public static float[] log10Density(double[] density) {
        float[] out = new float[density.length];
        for (int i = 0; i < density.length; i++) {
            out[i] = (float) Math.log10(density[i] + DENSITY_EPSILON);
        }
        return out;
    }
}
