package io.nanolens.hub;

import io.nanolens.NanolensException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Turns a hub spec ({@code hf:ORG/NAME[@REV][/PATH]}) into a local directory holding what nanolens needs of it,
 * the first step of every run on a pretrained model or SAE (hub → cache → model or SAE directory). Files come from
 * the shared Hugging Face cache ({@link HubCache}) when it has them: {@link #resolve} asks the network nothing when
 * the revision's commit is known (a commit hash, or a {@code refs/} entry) and its snapshot holds every file needed.
 * Otherwise it lists the revision, records the ref, and downloads each missing file into a blob with a relative
 * symlink from the snapshot ({@link BlobDownload}: resumable, size- and sha256-checked). {@link #pull} always asks
 * the hub which commit the revision is at now. In offline mode only the cache is used, and a missing file is a
 * one-line error naming the repository and file.
 */
public final class Hub {
    /**
     * A spec resolved to the cache.
     *
     * @param spec      the spec
     * @param commit    the commit its revision stood for
     * @param directory the snapshot folder of the spec's path: the model or SAE directory
     * @param selection what was needed there, and which kind it is
     */
    public record Snapshot(HubSpec spec, String commit, Path directory, RepoFiles.Selection selection) {
    }

    /** How long a download may bring no byte before its connection is dropped and resumed. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private final HubSettings settings;
    private final HubCache cache;
    private final DownloadListener listener;
    private final Duration stallTimeout;
    private HubClient client;   // made on first use: offline runs never build an HTTP client

    public Hub(HubSettings settings, DownloadListener listener) {
        this(settings, listener, STALL_TIMEOUT);
    }

    Hub(HubSettings settings, DownloadListener listener, Duration stallTimeout) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
        this.listener = listener;
        this.stallTimeout = stallTimeout;
    }

    public Hub(HubSettings settings) {
        this(settings, DownloadListener.NONE);
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /** The cache in use. */
    public HubCache cache() {
        return cache;
    }

    /**
     * The local directory for {@code spec} holding what {@code kind} needs, from the cache when it is complete there
     * (no network at all), else downloaded.
     *
     * @throws NanolensException if offline and the cache lacks a file, if the hub refuses or cannot be reached, or
     *                           if the repository holds nothing of that kind
     */
    public Snapshot resolve(HubSpec spec, RepoFiles.Kind kind) {
        return resolve(spec, kind, false);
    }

    /**
     * Like {@link #resolve}, but asks the hub which commit the revision is at now (unless offline or the revision
     * is a commit hash), so a moved branch brings its new files.
     */
    public Snapshot pull(HubSpec spec, RepoFiles.Kind kind) {
        return resolve(spec, kind, true);
    }

    private Snapshot resolve(HubSpec spec, RepoFiles.Kind kind, boolean refresh) {
        Optional<String> known = cache.commitOf(spec.repo(), spec.revision());
        if (settings.offline()) {
            return offline(spec, kind, known);
        }
        if (known.isPresent() && (!refresh || spec.pinned())) {
            List<String> files = cache.snapshotFiles(spec.repo(), known.get());
            try {
                return snapshot(spec, known.get(), RepoFiles.select(files, spec.path(), kind, spec));
            } catch (NanolensException incomplete) {
                // the snapshot lacks a file: the hub has it, or says why not
            }
        }
        HubClient.RepoInfo info = client().repoInfo(spec);
        cache.writeRef(spec.repo(), spec.revision(), info.commit());
        RepoFiles.Selection selection = RepoFiles.select(info.files(), spec.path(), kind, spec);
        for (String file : selection.files()) {
            fetch(spec, info.commit(), file);
        }
        return snapshot(spec, info.commit(), selection);
    }

    private Snapshot offline(HubSpec spec, RepoFiles.Kind kind, Optional<String> known) {
        String mode = "offline (HF_HUB_OFFLINE or --offline)";
        List<String> files = known.map(commit -> cache.snapshotFiles(spec.repo(), commit)).orElse(List.of());
        if (files.isEmpty()) {
            throw new NanolensException(mode + " and " + spec + " is not in the cache " + cache.root()
                    + "; fetch it once with a connection: ./nanolens pull " + spec);
        }
        try {
            return snapshot(spec, known.get(), RepoFiles.select(files, spec.path(), kind, spec));
        } catch (NanolensException e) {
            throw new NanolensException(mode + " and the cached snapshot " + known.get() + " is incomplete: "
                    + e.getMessage() + "; fetch it once with a connection: ./nanolens pull " + spec);
        }
    }

    private Snapshot snapshot(HubSpec spec, String commit, RepoFiles.Selection selection) {
        Path dir = cache.snapshot(spec.repo(), commit);
        return new Snapshot(spec, commit, spec.path().isEmpty() ? dir : dir.resolve(spec.path()), selection);
    }

    /** Puts {@code file} of {@code commit} into the snapshot, downloading its blob unless the cache has it. */
    private void fetch(HubSpec spec, String commit, String file) {
        Path pointer = cache.pointer(spec.repo(), commit, file);
        if (Files.isRegularFile(pointer)) {
            return;
        }
        HubClient.FileMetadata meta = client().metadata(spec, commit, file);
        Path blob = cache.blob(spec.repo(), meta.etag());
        Path lock = cache.lock(spec.repo(), meta.etag());
        try {
            boolean fresh = false;
            if (!Files.isRegularFile(blob)) {
                Files.createDirectories(lock.getParent());
                // Another nanolens process fetching the same blob waits here, then finds it done.
                try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    if (!Files.isRegularFile(blob)) {
                        new BlobDownload(client(), meta, spec, file, cache.incomplete(spec.repo(), meta.etag()),
                                listener, stallTimeout).into(blob);
                        fresh = true;
                    }
                }
            }
            HubCache.link(blob, pointer, fresh);
        } catch (IOException e) {
            throw new NanolensException("cannot write " + file + " of " + spec + " into the cache " + cache.root()
                    + ": " + HubClient.describe(e) + "; check that it is writable and has free space", e);
        }
    }

    private HubClient client() {
        if (client == null) {
            client = new HubClient(settings);
        }
        return client;
    }
}
