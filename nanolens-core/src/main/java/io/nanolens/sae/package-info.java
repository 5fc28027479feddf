/**
 * Layer 4: sparse autoencoders — six architectures behind the sealed {@link io.nanolens.sae.Sae} (ReLU + L1,
 * TopK, BatchTopK, JumpReLU, Gated, Matryoshka BatchTopK; {@link io.nanolens.sae.Architecture} names them), each
 * with encode, decode, a training loss and a hand-written backward, the TopK family sparse-aware (only the
 * encoder product is dense); their config ({@link io.nanolens.sae.SaeConfig}) and step buffers
 * ({@link io.nanolens.sae.SaeState}); SAE directories in SAELens's layout ({@link io.nanolens.sae.SaeLensFormat},
 * {@link io.nanolens.sae.SaeDirectory}, {@link io.nanolens.sae.SaeMetadata}); and what a trained SAE needs before it
 * is saved: the activation normalisation folded back into its weights ({@link io.nanolens.sae.InputScale}) and its
 * feature densities ({@link io.nanolens.sae.FeatureDensity}).
 */
package io.nanolens.sae;
