/**
 * Layer 2: a safe reader of Python pickles, for the pickles inside torch checkpoints and nanochat's pickled
 * tiktoken tokenizer. {@code Unpickler} runs the pickle machine's data opcodes only; globals are names checked
 * against a short allow-list ({@code AllowedGlobals}) and turned into plain Java data, never called, so a hostile
 * file is refused with a one-line {@code NanolensException} instead of running code. Uses nothing but the JDK.
 */
package io.nanolens.io.pickle;
