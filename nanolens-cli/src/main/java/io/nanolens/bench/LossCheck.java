package io.nanolens.bench;

import io.nanolens.model.Gpt;
import io.nanolens.model.GptState;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The batch of the same-model check that opens the model benchmarks: both sides compute the mean cross-entropy of
 * one random model on these B sequences (T inputs each, targets shifted by one), which must agree before any speed
 * is compared.
 *
 * @param rows   [B, T + 1] the token ids, as handed to the script
 * @param batch  B
 * @param time   T
 */
record LossCheck(int[] rows, int batch, int time) {

    /** Seeded random ids below {@code vocab}. */
    static LossCheck random(long seed, int batch, int time, int vocab) {
        return new LossCheck(ModelBenchmark.randomTokens(new SplittableRandom(seed), batch * (time + 1), vocab), batch,
                time);
    }

    /** nanolens's mean cross-entropy of {@code gpt} on the batch. */
    double ours(Gpt gpt) {
        int[] inputs = new int[batch * time];
        int[] targets = new int[batch * time];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(rows, b * (time + 1), inputs, b * time, time);
            System.arraycopy(rows, b * (time + 1) + 1, targets, b * time, time);
        }
        return gpt.forward(GptState.forInference(gpt.config(), batch, time), inputs, batch, time, targets, null);
    }

    /** The script's loss on the batch, the model given by {@code modelArgs} (e.g. --weights FILE); NaN if absent. */
    double torch(TorchReference torch, List<String> modelArgs) {
        List<String> ids = new ArrayList<>(rows.length);
        for (int id : rows) {
            ids.add(String.valueOf(id));
        }
        List<String> args = new ArrayList<>(modelArgs);
        args.addAll(List.of("--tokens", String.join(",", ids), "--batch", String.valueOf(batch), "--seq-len",
                String.valueOf(time)));
        return torch.call(args).path("loss").asDouble(Double.NaN);
    }
}
