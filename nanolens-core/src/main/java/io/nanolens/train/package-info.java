/**
 * Layer 3, training a GPT (corpus → tokens → trained model): the optimizers ({@link io.nanolens.train.AdamW},
 * {@link io.nanolens.train.Muon}), the learning-rate schedule ({@link io.nanolens.train.LrSchedule}), the
 * deterministic token stream ({@link io.nanolens.train.TokenBatches}), and the loop with validation, JSONL metrics
 * and bit-exact checkpoints ({@link io.nanolens.train.GptTrainer}, {@link io.nanolens.train.MetricsLog},
 * {@link io.nanolens.train.Checkpoint}), configured by {@link io.nanolens.train.TrainConfig}.
 */
package io.nanolens.train;
