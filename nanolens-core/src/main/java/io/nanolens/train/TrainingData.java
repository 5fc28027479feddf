package io.nanolens.train;

import io.nanolens.NanolensException;
import io.nanolens.text.Corpus;
import io.nanolens.text.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a run trains and validates on: the training documents, the held-out validation documents and the tokenizer
 * that turns both into ids. {@link #of(Corpus, Tokenizer)} splits a corpus by document index ({@link Corpus#training()},
 * {@link Corpus#validation()}: every 100th document is held out), so no validation text is ever trained on.
 *
 * @param training    the training documents, the same sequence on every call
 * @param validation  the validation documents, the same sequence on every call
 * @param tokenizer   the tokenizer of the model
 * @param description where the documents come from, for logs and provenance
 */
public record TrainingData(Supplier<Stream<String>> training, Supplier<Stream<String>> validation,
                           Tokenizer tokenizer, String description) {

    /** The corpus's training and validation parts. */
    public static TrainingData of(Corpus corpus, Tokenizer tokenizer) {
        Corpus train = corpus.training();
        Corpus validation = corpus.validation();
        return new TrainingData(train::documents, validation::documents, tokenizer, corpus.description());
    }

    /** The training stream and the fixed validation batches of one run. */
    Batches open(int batch, int time, int evalBatches) {
        List<int[][]> fixed = new ArrayList<>(evalBatches);
        try (TokenBatches held = new TokenBatches(validation, tokenizer, batch, time)) {
            for (int i = 0; i < evalBatches; i++) {
                int[][] pair = {new int[batch * time], new int[batch * time]};
                held.next(pair[0], pair[1]);
                fixed.add(pair);
            }
        } catch (NanolensException e) {
            throw new NanolensException("cannot read the validation documents of " + description + ": "
                    + e.getMessage(), e);
        }
        return new Batches(new TokenBatches(training, tokenizer, batch, time), Collections.unmodifiableList(fixed));
    }

    /**
     * The open data of one run.
     *
     * @param training   the training stream
     * @param validation evaluation batches, each {inputs [B·T], targets [B·T]}
     */
    record Batches(TokenBatches training, List<int[][]> validation) implements AutoCloseable {
        @Override
        public void close() {
            training.close();
        }
    }
}
