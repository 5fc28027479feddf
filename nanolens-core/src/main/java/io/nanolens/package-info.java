/**
 * nanolens: train a small GPT on a CPU, record its activations, train sparse autoencoders on them, and measure,
 * explore and steer what they learned. Sub-packages are layered (tensor, io, text, model, train, sae, eval,
 * analysis, steer); a lower layer never imports a higher one.
 */
package io.nanolens;
