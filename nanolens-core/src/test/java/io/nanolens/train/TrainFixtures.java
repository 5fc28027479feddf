package io.nanolens.train;

import io.nanolens.model.GptConfig;
import io.nanolens.text.Bpe;
import io.nanolens.text.Corpus;
import io.nanolens.text.TinyWorld;

/** A few hundred TinyWorld stories, a 300-token BPE trained on them and a model small enough to train in seconds. */
final class TrainFixtures {
    static final TinyWorld WORLD = new TinyWorld(7, 300);
    static final int VOCAB = 300;
    /** d=32, 2 layers, 2 heads of 16, context 16. */
    static final GptConfig MODEL = new GptConfig(16, VOCAB, 2, 2, 2, 32);
    private static Bpe tokenizer;

    private TrainFixtures() {
    }

    static synchronized Bpe tokenizer() {
        if (tokenizer == null) {
            tokenizer = Bpe.train(() -> WORLD.documents().iterator(), VOCAB);
        }
        return tokenizer;
    }

    static TrainingData data() {
        return TrainingData.of(Corpus.of(WORLD), tokenizer());
    }

    /** Batches of 4 × 16 tokens, evaluating on 2 batches and checkpointing at the given intervals. */
    static TrainConfig config(int steps, int evalEvery, int checkpointEvery) {
        return TrainConfig.of(4, 16, steps).withIntervals(evalEvery, 2, checkpointEvery);
    }
}
