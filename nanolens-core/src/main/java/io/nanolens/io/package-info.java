/**
 * Layer 2: how nanolens meets the disk. Safetensors files are memory-mapped and validated before any offset in them
 * is trusted ({@code SafeTensors}), and written in F32, BF16 or F16; JSON goes through one shared Jackson mapper
 * that writes snake_case keys ({@code Json}); every write is atomic, a temporary file renamed over the target
 * ({@code AtomicFiles}). External names (JSON keys, tensor names in files) live here and in the format adapters,
 * nowhere else. A damaged or foreign file is reported as a one-line {@code NanolensException} naming the file and
 * the fault. Uses {@code io.nanolens.tensor} and Jackson only.
 */
package io.nanolens.io;
