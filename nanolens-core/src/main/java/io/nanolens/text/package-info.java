/**
 * Layer 2, the first step of the data walk (corpus → tokens → activations → SAE → report): text in, token ids
 * out. {@link io.nanolens.text.Tokenizer} is what the model and the explorer see; {@link io.nanolens.text.Bpe} is
 * our own byte-level BPE (trained and applied the way nanochat's rustbpe and tiktoken do it),
 * {@link io.nanolens.text.Gpt2Tokenizer} wraps GPT-2's r50k_base, and {@link io.nanolens.text.Tokenizers} loads
 * either from a {@code tokenizer.json}. Corpus readers and the built-in synthetic corpus live here too.
 */
package io.nanolens.text;
