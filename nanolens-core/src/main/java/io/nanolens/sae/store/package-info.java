/**
 * Layer 4, the activation stage of the data walk (corpus → tokens → activations → SAE → report): an
 * {@link io.nanolens.sae.store.ActivationHarvester} runs the GPT over a corpus and yields the rows at one hook
 * point; they reach an SAE trainer either through a bounded {@link io.nanolens.sae.store.ShuffleBuffer} or, once
 * collected, from safetensors shards on disk ({@link io.nanolens.sae.store.ActivationShards}, described by an
 * {@link io.nanolens.sae.store.ActivationManifest}) read back in shuffled order. Every consumer sees an
 * {@link io.nanolens.sae.store.ActivationStream}, and memory stays bounded whatever the token count;
 * {@link io.nanolens.sae.store.ActivationScaler} estimates SAELens's normalisation factor, and
 * {@link io.nanolens.sae.store.RecentRows} keeps the last rows a trainer read, to measure the finished SAE on.
 */
package io.nanolens.sae.store;
