package io.nanolens.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds, by hand and independently of {@link HubCache}, a cache directory the way huggingface_hub leaves it after
 * {@code hf_hub_download}: {@code models--ORG--NAME/blobs/{etag}} (sha256 for files of 10 kB or more, the
 * LFS ones, else git's sha1), {@code refs/main} holding the commit without a newline, {@code snapshots/{commit}/{path}}
 * as relative symlinks written out literally ({@code ../../blobs/…}, one more {@code ../} per folder level), and the
 * empty {@code .no_exist} folder huggingface_hub creates.
 */
final class PythonCache {
    static final int LFS_THRESHOLD = 10_000;

    private PythonCache() {
    }

    /** Writes {@code files} (path → bytes) as {@code repo} at {@code commit}, with the ref {@code main} on it. */
    static Path write(Path cache, String repo, String commit, Map<String, byte[]> files) throws IOException {
        Path repoDir = cache.resolve("models--" + repo.replace("/", "--"));
        Files.createDirectories(repoDir.resolve("blobs"));
        Files.createDirectories(repoDir.resolve("refs"));
        Files.createDirectories(repoDir.resolve(".no_exist").resolve(commit));
        Files.writeString(repoDir.resolve("refs/main"), commit);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] bytes = e.getValue();
            String etag = bytes.length >= LFS_THRESHOLD ? FakeHub.sha256(bytes) : FakeHub.gitSha1(bytes);
            Files.write(repoDir.resolve("blobs").resolve(etag), bytes);
            Path pointer = repoDir.resolve("snapshots").resolve(commit).resolve(e.getKey());
            Files.createDirectories(pointer.getParent());
            int depth = e.getKey().split("/").length;
            Files.createSymbolicLink(pointer, Path.of("../".repeat(depth + 1) + "blobs/" + etag));
        }
        return repoDir.resolve("snapshots").resolve(commit);
    }
}
