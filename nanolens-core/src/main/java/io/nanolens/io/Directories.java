package io.nanolens.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole-directory chores shared by the writers that build a directory aside and swap it into place. */
public final class Directories {
    private Directories() {
    }

    /** Deletes {@code dir} and everything below it; nothing happens when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * {@link #deleteTree} for temporary directories or files (null: nothing to do): a failure leaves the leftovers in
     * place, harmlessly.
     */
    public static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
