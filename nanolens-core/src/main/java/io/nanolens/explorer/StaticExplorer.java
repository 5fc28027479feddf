package io.nanolens.explorer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nanolens.io.Directories;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes a {@link FeatureAtlas} as a self-contained directory of pages that opens from {@code file://} with no
 * server: {@code index.html} (the sortable, filterable feature table) and {@code feature.html?f=N} (one feature),
 * their scripts and style sheet, and the data as JavaScript files under {@code data/}. Browsers refuse
 * {@code fetch()} of {@code file://} URLs, but load {@code <script src>} from the same directory, so every data file
 * is one call {@code window.nanolensData("key", {...json...});} that the pages' static data source receives:
 * <pre>
 *   data/layout.js          key "layout": {"format_version", "features_per_shard"}
 *   data/atlas.js           key "atlas": the {@link AtlasIndex} (header + feature table by column)
 *   data/features/S.js      key "features/S": {"features": [cards]} for indices [S·128, (S+1)·128)
 * </pre>
 * JSON keys are snake_case as everywhere in nanolens, and non-ASCII characters are escaped, so the data files are
 * plain ASCII whatever the corpus holds. The pages build their DOM with {@code textContent} only, so corpus text can
 * never become markup. The directory is written beside the target under a temporary name and renamed into place
 * when complete, so a crash leaves either the old explorer or the new one, never a half-written index.
 */
public final class StaticExplorer {

    /** Version of the data layout above; a page reads it from {@code data/layout.js}. */
    public static final int FORMAT_VERSION = 1;

    /** Cards per data file: SAEDashboard's batch size, so opening a page parses a fraction of a megabyte. */
    public static final int FEATURES_PER_SHARD = 128;

    /** The pages, scripts and style sheet, copied unchanged from this package's resources. */
    private static final List<String> PAGE_FILES =
            List.of("index.html", "feature.html", "explorer.css", "explorer.js", "index.js", "feature.js");

    private static final String DATA_DIR = "data";
    private static final String FEATURES_DIR = "features";

    /** The file whose presence marks a directory as an explorer this class may replace. */
    private static final String MARKER = DATA_DIR + "/layout.js";

    private static final ObjectWriter WRITER = Json.mapper().writer()
            .without(SerializationFeature.INDENT_OUTPUT)
            .with(JsonWriteFeature.ESCAPE_NON_ASCII)
            .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private StaticExplorer() {
    }

    /**
     * Writes the explorer for {@code atlas} to {@code outDir}, replacing an explorer already there.
     *
     * @throws NanolensException        if {@code outDir} exists and is neither empty nor an explorer, or cannot
     *                                  be written
     * @throws IllegalArgumentException if the cards are out of order, outside [0, d_sae) or name an unknown concept
     */
    public static void write(FeatureAtlas atlas, Path outDir) {
        Path target = outDir.toAbsolutePath().normalize();
        checkReplaceable(target);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createDirectory(sibling(target, "tmp"));
            writeInto(atlas, temp);
            replace(temp, target);
        } catch (IOException e) {
            deleteAfterFailure(temp, e);
            throw new NanolensException("cannot write the explorer to " + outDir + ": " + e
                    + "; check that the directory is writable and has free space", e);
        } catch (RuntimeException | Error e) {
            deleteAfterFailure(temp, e);
            throw e;
        }
    }

    /**
     * Checks, before a long analysis, that {@link #write} may use {@code outDir}: it is missing, empty or an
     * explorer.
     *
     * @throws NanolensException if {@code outDir} exists and is neither empty nor an explorer
     */
    public static void checkTarget(Path outDir) {
        checkReplaceable(outDir.toAbsolutePath().normalize());
    }

    /** The file name, relative to the explorer directory, of the data shard holding {@code featureIndex}. */
    public static String shardFile(int featureIndex) {
        return DATA_DIR + "/" + FEATURES_DIR + "/" + featureIndex / FEATURES_PER_SHARD + ".js";
    }

    private static void writeInto(FeatureAtlas atlas, Path dir) throws IOException {
        for (String page : PAGE_FILES) {
            copyResource(page, dir.resolve(page));
        }
        Files.createDirectories(dir.resolve(DATA_DIR).resolve(FEATURES_DIR));
        AtlasIndex.Collector index = new AtlasIndex.Collector(atlas);
        List<FeatureCard> shard = new ArrayList<>(FEATURES_PER_SHARD);
        for (FeatureCard card : atlas.features()) {
            index.add(card);
            if (!shard.isEmpty() && shardOf(shard.getFirst()) != shardOf(card)) {
                writeShard(dir, shard);
                shard.clear();
            }
            shard.add(card);
        }
        if (!shard.isEmpty()) {
            writeShard(dir, shard);
        }
        writeData(dir.resolve(DATA_DIR).resolve("atlas.js"), "atlas", index.finish());
        writeData(dir.resolve(MARKER), "layout",
                Map.of("format_version", FORMAT_VERSION, "features_per_shard", FEATURES_PER_SHARD));
    }

    private static int shardOf(FeatureCard card) {
        return card.index() / FEATURES_PER_SHARD;
    }

    private static void writeShard(Path dir, List<FeatureCard> cards) throws IOException {
        writeData(dir.resolve(shardFile(cards.getFirst().index())), "features/" + shardOf(cards.getFirst()),
                Map.of("features", cards));
    }

    /** Writes {@code window.nanolensData("key", json);} and forces it to disk before the directory is renamed. */
    private static void writeData(Path file, String key, Object payload) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            out.write(("window.nanolensData(\"" + key + "\", ").getBytes(StandardCharsets.US_ASCII));
            WRITER.writeValue(out, payload);
            out.write(");\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            channel.force(true);
        }
    }

    private static void copyResource(String name, Path file) throws IOException {
        try (InputStream in = StaticExplorer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("explorer resource " + name + " is missing from the jar");
            }
            Files.copy(in, file);
        }
    }

    private static void checkReplaceable(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new NanolensException("cannot write the explorer to " + target
                    + ": it exists and is not a directory; choose a new directory");
        }
        if (Files.isRegularFile(target.resolve(MARKER))) {
            return;
        }
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new NanolensException("cannot write the explorer to " + target + ": the directory is not "
                        + "empty and holds no explorer (no " + MARKER + "); choose a new or empty directory");
            }
        } catch (IOException e) {
            throw new NanolensException("cannot read " + target + ": " + e, e);
        }
    }

    /** Renames the complete {@code temp} over {@code target}; an old explorer is moved aside first, then deleted. */
    private static void replace(Path temp, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            move(temp, target);
            return;
        }
        Path old = sibling(target, "old");
        move(target, old);
        try {
            move(temp, target);
        } catch (IOException e) {
            try {
                move(old, target);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        Directories.deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static Path sibling(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + "." + kind + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private static void deleteAfterFailure(Path temp, Throwable failure) {
        if (temp == null) {
            return;
        }
        try {
            Directories.deleteTree(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes a directory tree without following symbolic links out of it. */
}
