package io.nanolens.hub;

/**
 * Hears how a download from the hub goes, so that a front end can draw it (the command line draws a progress bar);
 * the library itself prints nothing. Calls come from the downloading thread, one file at a time.
 */
public interface DownloadListener {
    /** A listener that ignores everything. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * A file starts downloading.
     *
     * @param file  its path in the repository
     * @param size  its size in bytes
     * @param start bytes already on disk from an earlier, interrupted download (0 for a fresh one)
     */
    default void started(String file, long size, long start) {
    }

    /** {@code bytes} of the file are on disk (counting those resumed from). */
    default void progressed(String file, long bytes) {
    }

    /** The connection dropped at {@code bytes}; the download resumes from there. */
    default void retrying(String file, long bytes, String reason) {
    }

    /** The file is complete and checked. */
    default void finished(String file, long size) {
    }
}
