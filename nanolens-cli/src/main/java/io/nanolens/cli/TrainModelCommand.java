package io.nanolens.cli;

import io.nanolens.text.BpeTrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ./nanolens train-model}: trains a GPT on a corpus into a model directory (tokenizer first when the
 * directory has none), with a progress bar, checkpoints, and {@code --resume} after Ctrl-C.
 */
@Command(name = "train-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a GPT (nanochat architecture) on a corpus into a model directory.",
        footer = {"", "DIR gets config.json, model.safetensors, tokenizer.json, train_log.jsonl (a JSON",
                "line per step), train_config.json and checkpoint.safetensors. A tokenizer.json",
                "already in DIR is used as it is. Ctrl-C stops at a checkpoint; --resume goes on",
                "with the saved settings (only --steps may change; that changes the schedule)",
                "and ends with the same weights as a run that was never stopped.",
                "", "SRC: tinyworld[:SEED[:STORIES]], a .jsonl (field \"text\"), a .zip, a directory",
                "or a text file.",
                "", "Examples:",
                "  ./nanolens train-model --corpus tinyworld --out runs/tiny --steps 600",
                "  ./nanolens train-model --corpus tinyworld --out runs/tiny --resume",
                "  ./nanolens train-model --corpus $JAVA_HOME/lib/src.zip --preset small \\",
                "      --out runs/java --vocab 8192"})
final class TrainModelCommand implements Callable<Integer> {
    /** Characters a new tokenizer is trained on by default: ~100 MB, a few seconds at BPE training speed. */
    static final long DEFAULT_TOKENIZER_CHARS = 100_000_000L;

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "SRC", description = "The text to train on.")
    String corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run saved in --out.")
    boolean resume;

    @Option(names = "--vocab", paramLabel = "V", defaultValue = "" + BpeTrainingConfig.DEFAULT_VOCAB_SIZE,
            description = "Tokens of a newly trained BPE tokenizer (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--tokenizer-chars", paramLabel = "N", defaultValue = "" + DEFAULT_TOKENIZER_CHARS,
            description = "Corpus characters a new tokenizer is trained on (default: ${DEFAULT-VALUE}).")
    long tokenizerChars;

    @Mixin
    ModelOptions model;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() {
        ModelTraining.Plan plan = new ModelTraining.Plan(corpus, out, model::config,
                c -> training.config(c.sequenceLen()), vocab, tokenizerChars, resume, training.steps);
        ModelTraining.run(plan, spec.commandLine().getOut());
        return 0;
    }
}
