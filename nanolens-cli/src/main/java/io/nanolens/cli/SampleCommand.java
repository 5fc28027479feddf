package io.nanolens.cli;

import io.nanolens.model.GptFiles;
import io.nanolens.model.Sampler;
import io.nanolens.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./nanolens sample}: continues a prompt with a trained model, one token at a time with a KV cache. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with a trained model.",
        footer = {"", "The text starts after the beginning-of-document token and stops at the next",
                "one (the end of the story) or after --max-tokens.",
                "", "Examples:",
                "  ./nanolens sample --model runs/demo/model --prompt \"Once upon a time\"",
                "  ./nanolens sample --model runs/tiny --prompt \"Tom saw a\" --temperature 0"})
final class SampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "The start of the text.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "200", paramLabel = "N",
            description = "Most new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T",
            description = "Sampling temperature, 0 = always the likeliest token (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "50", paramLabel = "K",
            description = "Sample among the K likeliest tokens, 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S",
            description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        GptFiles.Loaded loaded = GptFiles.load(model);
        spec.commandLine().getOut().println(generate(loaded, prompt, maxTokens, new Sampler(temperature, topK, seed)));
        return 0;
    }

    /** The prompt followed by its continuation, which ends before the next beginning-of-document token. */
    static String generate(GptFiles.Loaded loaded, String prompt, int maxTokens, Sampler sampler) {
        Tokenizer tokenizer = loaded.tokenizer();
        int[] ids = tokenizer.encode(prompt);
        int[] input = new int[ids.length + 1];
        input[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, input, 1, ids.length);
        int bos = tokenizer.bosId();
        int[] next = sampler.generate(loaded.gpt(), input, maxTokens, null, id -> id == bos);
        int end = next.length > 0 && next[next.length - 1] == bos ? next.length - 1 : next.length;
        return prompt + tokenizer.decode(next, 0, end);
    }
}
