package io.nanolens.hub;

import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Hugging Face cache on disk, laid out exactly as huggingface_hub lays it out (file_download.py), so files a
 * Python user downloaded are reused and the other way round:
 * <pre>
 * {cache}/models--ORG--NAME/blobs/{etag}                  the file's bytes, named by its sha256 (LFS) or git sha1
 * {cache}/models--ORG--NAME/blobs/{etag}.incomplete       a download under way (resumed from its length)
 * {cache}/models--ORG--NAME/refs/{revision}               the commit a branch or tag pointed at when last asked
 * {cache}/models--ORG--NAME/snapshots/{commit}/{path}     a relative symlink to the blob (a copy where links fail)
 * {cache}/.locks/models--ORG--NAME/{etag}.lock            held while a blob downloads
 * </pre>
 */
public final class HubCache {
    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    /** The cache directory. */
    public Path root() {
        return root;
    }

    /** {@code models--ORG--NAME}, the repository's folder name (huggingface_hub's {@code repo_folder_name}). */
    static String folderName(String repo) {
        return "models--" + repo.replace("/", "--");
    }

    /** The repository's folder in the cache. */
    public Path repoFolder(String repo) {
        return root.resolve(folderName(repo));
    }

    /** Where the blob with this etag lives. */
    Path blob(String repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag);
    }

    /** The blob's partial download. */
    Path incomplete(String repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** The lock file held while the blob downloads. */
    Path lock(String repo, String etag) {
        return root.resolve(".locks").resolve(folderName(repo)).resolve(etag + ".lock");
    }

    /** The snapshot folder of a commit. */
    public Path snapshot(String repo, String commit) {
        return repoFolder(repo).resolve("snapshots").resolve(commit);
    }

    /** The file {@code path} (with '/' separators) of a commit's snapshot. */
    Path pointer(String repo, String commit, String path) {
        return snapshot(repo, commit).resolve(path);
    }

    /**
     * The commit a revision stands for as far as the cache knows: the revision itself when it is a commit hash, else
     * what {@code refs/{revision}} holds; empty when the cache has never resolved it.
     */
    public Optional<String> commitOf(String repo, String revision) {
        if (HubSpec.isCommit(revision)) {
            return Optional.of(revision);
        }
        Path ref = repoFolder(repo).resolve("refs").resolve(revision);
        try {
            String commit = Files.isRegularFile(ref) ? Files.readString(ref).strip() : null;
            return HubSpec.isCommit(commit) ? Optional.of(commit) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records that {@code revision} points at {@code commit} (nothing to do when the revision is the commit). */
    void writeRef(String repo, String revision, String commit) {
        if (revision.equals(commit) || commitOf(repo, revision).filter(commit::equals).isPresent()) {
            return;
        }
        AtomicFiles.writeString(repoFolder(repo).resolve("refs").resolve(revision), commit);
    }

    /**
     * Every file of a commit's snapshot, as repository paths with '/' separators; a link whose blob is gone does
     * not count. Empty when the snapshot does not exist.
     */
    public List<String> snapshotFiles(String repo, String commit) {
        Path dir = snapshot(repo, commit);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString().replace(dir.getFileSystem().getSeparator(), "/"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new NanolensException("cannot list the cached snapshot " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Points {@code pointer} at {@code blob} with a relative symlink, as huggingface_hub does, so the cache can be
     * moved as a whole. Where the file system refuses links, a new blob is moved into place and an existing one
     * copied (huggingface_hub's fallback too).
     */
    static void link(Path blob, Path pointer, boolean newBlob) throws IOException {
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        Path target = pointer.getParent().toAbsolutePath().relativize(blob.toAbsolutePath());
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (newBlob) {
                Files.move(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
