package io.nanolens.text;

import io.nanolens.NanolensException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Opens the file-system corpora of {@link Corpus}: one text file, a directory tree of text files (in sorted
 * relative-path order, so every run sees the same documents), or a zip archive of text files (in archive order,
 * e.g. the JDK's {@code lib/src.zip}). In directories and archives, hidden entries (a path part starting with
 * {@code .}, and {@code __MACOSX}) are skipped, files with a known binary extension are skipped unread, and the rest
 * are sniffed: a file whose first 8 KiB hold a NUL byte or invalid UTF-8 is skipped as binary.
 */
final class CorpusFiles {
    private static final Set<String> BINARY_EXTENSIONS = Set.of("class", "jar", "jmod", "zip", "gz", "tgz", "bz2",
            "xz", "zst", "7z", "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "pdf", "so", "dll", "dylib", "exe",
            "bin", "o", "a", "safetensors", "pt", "pth", "npy", "npz", "parquet", "arrow", "mp3", "mp4", "wav", "ogg",
            "woff", "woff2", "ttf", "otf");

    private CorpusFiles() {
    }

    /** One text file; a binary file is an error here, since the user named it. */
    static DocumentIterator textFile(Path path, int maxChars) {
        try {
            TextChunks chunks = TextChunks.openOrNull(Files.newInputStream(path), path.toString(), maxChars);
            if (chunks == null) {
                throw new NanolensException("corpus file " + path + " is not text (it holds NUL bytes or invalid "
                        + "UTF-8): pass a UTF-8 text, .jsonl or .zip file, or a directory");
            }
            return chunks;
        } catch (IOException e) {
            throw new NanolensException("cannot read corpus file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every text file under {@code root}, recursively, in sorted relative-path order. */
    static DocumentIterator directory(Path root, int maxChars) {
        List<Path> files = list(root);
        return DocumentIterator.concat(files.iterator(), file -> textFileOrNull(file, maxChars), null);
    }

    /** Every text entry of a zip archive, in archive order; the archive stays open until the stream is closed. */
    static DocumentIterator zip(Path path, int maxChars) {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (IOException e) {
            throw new NanolensException("corpus file " + path + " is not a readable zip archive (" + e.getMessage()
                    + "): pass a valid .zip file", e);
        }
        Iterator<? extends ZipEntry> entries = zip.stream()
                .filter(e -> !e.isDirectory() && !skipped(e.getName()))
                .iterator();
        return DocumentIterator.concat(entries, entry -> {
            String name = path + "!/" + entry.getName();
            try {
                return TextChunks.openOrNull(zip.getInputStream(entry), name, maxChars);
            } catch (IOException e) {
                throw new NanolensException("cannot read corpus entry " + name + ": " + e.getMessage(), e);
            }
        }, zip);
    }

    private static DocumentIterator textFileOrNull(Path file, int maxChars) {
        try {
            return TextChunks.openOrNull(Files.newInputStream(file), file.toString(), maxChars);
        } catch (IOException e) {
            throw new NanolensException("cannot read corpus file " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path root) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    boolean hidden = !dir.equals(root) && hidden(dir.getFileName().toString());
                    return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !skipped(file.getFileName().toString())) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new NanolensException("cannot list corpus directory " + root + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.comparing(f -> root.relativize(f).toString().replace('\\', '/')));
        return files;
    }

    /** Hidden (a part starting with '.' or named __MACOSX) or a known binary file type. */
    static boolean skipped(String relativePath) {
        for (String part : relativePath.split("/")) {
            if (hidden(part)) {
                return true;
            }
        }
        int dot = relativePath.lastIndexOf('.');
        int slash = relativePath.lastIndexOf('/');
        return dot > slash + 1 && BINARY_EXTENSIONS.contains(relativePath.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static boolean hidden(String name) {
        return name.startsWith(".") || name.equals("__MACOSX");
    }
}
