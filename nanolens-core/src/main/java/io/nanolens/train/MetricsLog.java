package io.nanolens.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;
import io.nanolens.model.GptFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The training metrics as JSON lines ({@code train_log.jsonl} in the model directory), one object per step with the
 * keys {@code step, tokens, loss, val_loss} (only on evaluation steps){@code , lr, grad_norm, tokens_per_s,
 * elapsed_s}, readable by any plotting tool. Lines are appended and flushed as training goes; a resumed run first
 * drops the lines after its checkpoint's step, so the log reads as one uninterrupted run.
 */
public final class MetricsLog implements AutoCloseable {
    /** The file name inside a model directory. */
    public static final String FILE_NAME = GptFiles.LOG_FILE;

    private static final ObjectWriter LINE = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final BufferedWriter out;

    /**
     * One line of the log.
     *
     * @param step         1-based number of the step just taken
     * @param tokens       training tokens seen so far, this step included
     * @param loss         this step's training loss
     * @param valLoss      validation loss after this step, or null when not evaluated
     * @param lr           learning-rate multiplier of this step (the schedule's value)
     * @param gradNorm     global gradient norm before clipping
     * @param tokensPerS   training tokens per second of this step
     * @param elapsedS     seconds of training so far, over every resumed part of the run
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(long step, long tokens, float loss, Float valLoss, float lr, float gradNorm,
                        double tokensPerS, double elapsedS) {
    }

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens {@code file} for appending, first dropping every line whose step is after {@code keepThroughStep}
     * (0 starts a fresh log).
     *
     * @throws NanolensException if the file cannot be read or written
     */
    public static MetricsLog open(Path file, long keepThroughStep) {
        try {
            List<String> kept = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank() && stepOf(line, file) <= keepThroughStep).toList() : List.of();
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new NanolensException("cannot open the metrics log " + file + ": " + e, e);
        }
    }

    /** Appends one line and flushes it. */
    public void append(Entry entry) {
        try {
            out.write(LINE.writeValueAsString(entry));
            out.write('\n');
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a metrics entry always serialises", e);
        } catch (IOException e) {
            throw new NanolensException("cannot append to the metrics log " + file + ": " + e, e);
        }
    }

    /** Every entry of a log file, in order. */
    public static List<Entry> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank())
                    .map(line -> Json.convert(Json.readTree(line, file.toString()), Entry.class, file.toString()))
                    .toList();
        } catch (IOException e) {
            throw new NanolensException("cannot read the metrics log " + file + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new NanolensException("cannot close the metrics log " + file + ": " + e, e);
        }
    }

    private static long stepOf(String line, Path file) {
        return Json.readTree(line, file.toString()).path("step").asLong(Long.MAX_VALUE);
    }
}
