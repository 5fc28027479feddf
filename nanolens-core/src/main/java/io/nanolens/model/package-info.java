/**
 * Layer 3: the GPT on the CPU in float32, nanochat v1 or GPT-2 — config and presets
 * ({@link io.nanolens.model.GptConfig}), forward and backward ({@link io.nanolens.model.Gpt} with its layers, each
 * forward beside its backward, and preallocated {@link io.nanolens.model.GptState} buffers), TransformerLens hook
 * points to read or change activations ({@link io.nanolens.model.HookPoint}, {@link io.nanolens.model.Hooks}),
 * KV-cache decoding and sampling ({@link io.nanolens.model.KvCache}, {@link io.nanolens.model.Sampler}), and the
 * model directory on disk ({@link io.nanolens.model.GptFiles}, which also reads Hugging Face GPT-2 directories).
 */
package io.nanolens.model;
