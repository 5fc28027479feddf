package io.nanolens.hub;

import io.nanolens.NanolensException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob fetched into the cache as huggingface_hub fetches it: the bytes go to {@code blobs/{etag}.incomplete},
 * which a later run resumes from its length with a {@code Range} request (so does this one when the connection
 * drops mid-file); once complete, the size must be the one the hub announced and, for a large (LFS) file whose etag
 * is its sha256, the hash must match, before the file is renamed to {@code blobs/{etag}}. A bad download is deleted,
 * never renamed into place. A connection that goes silent is closed after a while (the HTTP client has no read
 * timeout of its own) and resumed like a dropped one.
 */
final class BlobDownload {
    /** Attempts in a row that bring no new byte before giving up (huggingface_hub retries 5 times too). */
    private static final int MAX_FAILURES = 5;
    private static final int BUFFER_BYTES = 1 << 16;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
    /** Closes the body of a transfer that brought no byte for too long, which wakes the blocked read. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nanolens-hub-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HubClient client;
    private final HubClient.FileMetadata meta;
    private final HubSpec spec;
    private final String file;
    private final Path incomplete;
    private final DownloadListener listener;
    private final Duration stallTimeout;

    BlobDownload(HubClient client, HubClient.FileMetadata meta, HubSpec spec, String file, Path incomplete,
                 DownloadListener listener, Duration stallTimeout) {
        this.client = client;
        this.meta = meta;
        this.spec = spec;
        this.file = file;
        this.incomplete = incomplete;
        this.listener = listener;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Downloads (or finishes downloading) the blob and moves it to {@code blob}.
     *
     * @throws NanolensException when the hub cannot be reached after retries, the size or sha256 is wrong, or the
     *                           file cannot be written; a partial download is kept for the next run unless it is wrong
     */
    void into(Path blob) {
        long size = meta.size();
        try {
            Files.createDirectories(incomplete.getParent());
            long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            if (have > size) {
                Files.write(incomplete, new byte[0]);
                have = 0;
            }
            listener.started(file, size, have);
            download(have, size);
            check(size);
            move(incomplete, blob);
        } catch (IOException e) {
            throw new NanolensException("cannot write " + incomplete + ": " + HubClient.describe(e)
                    + "; check that the cache directory is writable and has free space", e);
        }
        listener.finished(file, size);
    }

    /** Fetches until the file holds {@code size} bytes, resuming after every dropped connection. */
    private void download(long have, long size) throws IOException {
        int failures = 0;
        while (have < size) {
            long before = have;
            IOException failure = null;
            try {
                transfer(have, size);
            } catch (IOException e) {
                failure = e;
            }
            have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            if (have >= size) {
                break;
            }
            failures = have > before ? 1 : failures + 1;
            String reason = failure == null ? "the body ended early" : HubClient.describe(failure);
            if (failures >= MAX_FAILURES) {
                throw new NanolensException("the download of " + file + " from " + HubSpec.PREFIX + spec.repo()
                        + " stopped at " + have + " of " + size + " bytes (" + reason + "); run the command again "
                        + "to resume from there");
            }
            listener.retrying(file, have, reason);
            if (have == before) {
                pause(failures);
            }
        }
    }

    /** One GET from byte {@code have} on, appended to the partial file (rewritten when the server ignores Range). */
    private void transfer(long have, long size) throws IOException {
        HttpResponse<InputStream> r = client.open(meta.location(), have, spec, file);
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long period = Math.max(10, stallTimeout.toMillis() / 4);
        ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastRead.get() > stallTimeout.toNanos() && !stalled.getAndSet(true)) {
                closeQuietly(r.body());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try (InputStream in = r.body()) {
            long at = start(r, have);
            if (at < 0) {
                return;
            }
            StandardOpenOption mode = at > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
            try (OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, mode)) {
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    lastRead.set(System.nanoTime());
                    if (at + n > size) {
                        throw new NanolensException("the hub sent more than the " + size + " bytes it announced for "
                                + file + " of " + HubSpec.PREFIX + spec.repo() + "; run the command again");
                    }
                    out.write(buffer, 0, n);
                    at += n;
                    listener.progressed(file, at);
                }
            }
        } catch (IOException e) {
            throw stalled.get() ? new IOException("no data for " + stallTimeout.toSeconds() + " s", e) : e;
        } finally {
            watch.cancel(false);
        }
    }

    /**
     * Where the response's body starts in the file: {@code have} for a 206 that resumes there, 0 for a 200 (the
     * server ignored the Range, so the file is rewritten), -1 for a 416 (the partial file was unusable: emptied).
     */
    private long start(HttpResponse<InputStream> r, long have) throws IOException {
        if (r.statusCode() == 206) {
            Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                throw new IOException("the server resumed at another byte than " + have);
            }
            return have;
        }
        if (r.statusCode() == 416) {
            Files.write(incomplete, new byte[0]);
            return -1;
        }
        return 0;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the reader sees the stream closed either way
        }
    }

    /** The size and, for an LFS file, the sha256 against what the hub announced; a wrong file is deleted. */
    private void check(long size) throws IOException {
        long got = Files.size(incomplete);
        if (got != size) {
            Files.delete(incomplete);
            throw new NanolensException("the download of " + file + " from " + HubSpec.PREFIX + spec.repo() + " has "
                    + got + " bytes, not the " + size + " the hub announced; it was deleted, run the command again");
        }
        if (SHA256.matcher(meta.etag()).matches()) {
            String sha = sha256(incomplete);
            if (!sha.equals(meta.etag())) {
                Files.delete(incomplete);
                throw new NanolensException("the download of " + file + " from " + HubSpec.PREFIX + spec.repo()
                        + " has sha256 " + sha + ", not " + meta.etag() + " as the hub says; it was deleted, run the "
                        + "command again");
            }
        }
    }

    /** The sha256 of a file, as lowercase hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Waits a little longer after each attempt that brought nothing (0.2, 0.4, 0.8, 1.6 s). */
    private static void pause(int failures) {
        try {
            Thread.sleep(100L << Math.min(failures, 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NanolensException("interrupted while waiting to retry a download");
        }
    }
}
