package io.nanolens.spark;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.model.GptFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What one executor JVM loads once and every task on it then shares: local copies of directories (a model, an SAE,
 * collected activations) and the models and SAEs loaded from them. A local directory is read in place (on a cluster
 * it must be on a filesystem every executor mounts); any other location is copied once into a temporary directory
 * deleted when the JVM exits. The driver uses the same cache for its own checks. Loaded models are only read by
 * tasks (each task has its own inference state), so concurrent tasks can share them.
 */
final class ExecutorCache {
    private static final Map<String, Path> DIRECTORIES = new HashMap<>();
    private static final Map<String, GptFiles.Loaded> MODELS = new HashMap<>();
    private static final Map<String, AnalysisSubject> SUBJECTS = new HashMap<>();
    private static Path copies;

    private ExecutorCache() {
    }

    /** A local directory holding the files of {@code location}. */
    static synchronized Path directory(String location, Storage storage) {
        Path known = DIRECTORIES.get(location);
        if (known != null) {
            return known;
        }
        Path local;
        if (Storage.isLocal(location)) {
            local = Storage.localPath(location);
        } else {
            try {
                local = Files.createTempDirectory(copies(), "copy-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a local copy of " + location, e);
            }
            storage.downloadFiles(location, local);
        }
        if (!Files.isDirectory(local)) {
            throw new NanolensException("directory not found: " + location + "; on a cluster, give a location every "
                    + "executor can read (HDFS, S3A, or a shared mount)");
        }
        DIRECTORIES.put(location, local);
        return local;
    }

    /** The model in directory {@code location}, loaded once. */
    static synchronized GptFiles.Loaded model(String location, Storage storage) {
        GptFiles.Loaded known = MODELS.get(location);
        if (known == null) {
            known = GptFiles.load(directory(location, storage));
            MODELS.put(location, known);
        }
        return known;
    }

    /** The model at {@code model} read by the SAE at {@code sae} at hook {@code hook} (null: the SAE's own). */
    static synchronized AnalysisSubject subject(String model, String sae, String hook, Storage storage) {
        String key = model + "\n" + sae + "\n" + hook;
        AnalysisSubject known = SUBJECTS.get(key);
        if (known == null) {
            known = AnalysisSubject.load(directory(model, storage), directory(sae, storage), hook);
            SUBJECTS.put(key, known);
        }
        return known;
    }

    /** The parent of this JVM's copies, removed with them at exit. */
    private static Path copies() throws IOException {
        if (copies == null) {
            copies = Files.createTempDirectory("nanolens-spark-");
            Path root = copies;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "nanolens-spark-cleanup"));
        }
        return copies;
    }

    /** Deletes a directory and everything below it, as far as it can. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
