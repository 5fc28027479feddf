package io.nanolens.io;

import io.nanolens.NanolensException;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file writes: every artifact nanolens saves (configs, weights, activation shards, reports) is written to a
 * temporary file in the target's directory, forced to disk, then renamed over the target. A reader therefore sees
 * either the old file or the complete new one, never a torn write, and a failed write leaves the old file intact
 * and no temporary file behind. The rename is {@code ATOMIC_MOVE}, falling back to {@code REPLACE_EXISTING} on file
 * systems that cannot rename atomically.
 */
public final class AtomicFiles {

    /** Buffer between the content writer and the file; large enough that tensor data streams in few syscalls. */
    private static final int BUFFER_BYTES = 1 << 16;

    /** How often a fresh temporary name is tried when one already exists (only on a random-name collision). */
    private static final int TEMP_NAME_ATTEMPTS = 16;

    /** Streams a file's content; the stream is buffered, and closing it is harmless. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Atomically replaces {@code target} with {@code bytes}, creating missing parent directories. */
    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Atomically replaces {@code target} with what {@code content} writes; for large files, which never have to
     * exist in memory as a whole.
     *
     * @throws NanolensException if the file cannot be written (the message names it and the cause); an unchecked
     *                           exception thrown by {@code content} propagates unchanged. Either way the old
     *                           file is untouched and the temporary file is deleted.
     */
    public static void write(Path target, Content content) {
        Path absolute = target.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            temp = createTemp(absolute);
            writeAndForce(temp, content);
            move(temp, absolute);
        } catch (IOException e) {
            deleteAfterFailure(temp, e);
            throw new NanolensException("cannot write " + target + ": " + e
                    + "; check that the directory exists, is writable and has free space", e);
        } catch (RuntimeException | Error e) {
            deleteAfterFailure(temp, e);
            throw e;
        }
    }

    private static Path createTemp(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            // A name of our own instead of Files.createTempFile, which would give the target owner-only permissions.
            String name = "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp";
            Path temp = target.resolveSibling(name);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt + 1 == TEMP_NAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void writeAndForce(Path temp, Content content) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(new UnclosableStream(Channels.newOutputStream(channel)),
                    BUFFER_BYTES);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteAfterFailure(Path temp, Throwable failure) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Keeps the channel open when a content writer (Jackson, for one) closes the stream it was given. */
    private static final class UnclosableStream extends FilterOutputStream {
        UnclosableStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
