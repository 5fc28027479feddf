package io.nanolens.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.NanolensException;
import io.nanolens.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The hub's HTTP side, as huggingface_hub speaks it (file_download.py, hf_api.py): the file list of a revision
 * ({@code GET {endpoint}/api/models/{repo}/revision/{revision}}: {@code sha} and {@code siblings[].rfilename}), a
 * file's metadata ({@code HEAD {endpoint}/{repo}/resolve/{revision}/{path}} without following redirects, except
 * relative ones (a renamed repository): {@code X-Repo-Commit}, {@code X-Linked-Etag} or {@code ETag},
 * {@code X-Linked-Size} or {@code Content-Length}, and for a large (LFS) file a {@code Location} on a CDN), and the
 * bytes from that location, with a {@code Range} to resume. The token goes only to the endpoint's own host, never to
 * the CDN a large file redirects to. Every failure the user can act on becomes a one-line {@link NanolensException}.
 */
final class HubClient {
    /** What the hub lists for a revision: the commit it resolves to and every file path at that commit. */
    record RepoInfo(String commit, List<String> files) {
    }

    /** A file's metadata: the commit, its etag (sha256 for LFS files), its size and where its bytes are. */
    record FileMetadata(String commit, String etag, long size, URI location) {
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long to wait for a response's headers (huggingface_hub waits 10 s; CDNs can be slower to start). */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_REDIRECTS = 10;
    /** An etag becomes a file name in blobs/: nothing but these characters, so it cannot escape the folder. */
    private static final Pattern SAFE_ETAG = Pattern.compile("[0-9A-Za-z_-][0-9A-Za-z._-]{0,127}");

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** The commit {@code spec}'s revision stands for now and the files at that commit. */
    RepoInfo repoInfo(HubSpec spec) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + spec.repo() + "/revision/"
                + encode(spec.revision(), false));
        HttpResponse<String> r = send(request(uri).GET(), HttpResponse.BodyHandlers.ofString(), spec, null);
        JsonNode json = Json.readTree(r.body(), uri.toString());
        String sha = json.path("sha").asText(null);
        if (!HubSpec.isCommit(sha)) {
            throw new NanolensException(uri + " answered without a commit hash ('sha'); is HF_ENDPOINT ("
                    + settings.endpoint() + ") a Hugging Face hub?");
        }
        List<String> files = new ArrayList<>();
        for (JsonNode sibling : json.path("siblings")) {
            String name = sibling.path("rfilename").asText(null);
            if (name != null) {
                files.add(name);
            }
        }
        return new RepoInfo(sha, files);
    }

    /** The metadata of {@code file} at {@code commit}, from a HEAD request. */
    FileMetadata metadata(HubSpec spec, String commit, String file) {
        URI uri = URI.create(settings.endpoint() + "/" + spec.repo() + "/resolve/" + encode(commit, false) + "/"
                + encode(file, true));
        HttpRequest.Builder head = request(uri).HEAD().header("Accept-Encoding", "identity");
        HttpResponse<Void> r = send(head, HttpResponse.BodyHandlers.discarding(), spec, file);
        String repoCommit = header(r, "X-Repo-Commit");
        String etag = header(r, "X-Linked-Etag");
        etag = normalizeEtag(etag != null ? etag : header(r, "ETag"));
        String size = header(r, "X-Linked-Size");
        size = size != null ? size : header(r, "Content-Length");
        String what = file + " of " + HubSpec.PREFIX + spec.repo() + " (" + uri + ")";
        if (repoCommit == null) {
            throw new NanolensException("the answer for " + what + " has no X-Repo-Commit header; is HF_ENDPOINT ("
                    + settings.endpoint() + ") a Hugging Face hub, and no proxy in the way?");
        }
        if (etag == null || !SAFE_ETAG.matcher(etag).matches()) {
            throw new NanolensException("the answer for " + what + " has no usable ETag (" + etag + ")");
        }
        long bytes = size == null ? -1 : parseSize(size);
        if (bytes < 0) {
            throw new NanolensException("the answer for " + what + " does not give the file's size");
        }
        String location = r.statusCode() / 100 == 3 ? header(r, "Location") : null;
        return new FileMetadata(repoCommit, etag, bytes, location == null ? r.uri() : r.uri().resolve(location));
    }

    /**
     * Starts the GET of a file's bytes at {@code location}, from byte {@code from} on (a {@code Range} request when
     * above 0), following redirects; the caller reads and closes the body.
     *
     * @throws IOException when the connection fails (the caller retries)
     */
    HttpResponse<InputStream> open(URI location, long from, HubSpec spec, String file) throws IOException {
        URI uri = location;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder get = request(uri).GET().header("Accept-Encoding", "identity");
            if (from > 0) {
                get.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<InputStream> r = exchange(get.build(), HttpResponse.BodyHandlers.ofInputStream());
            String next = r.statusCode() / 100 == 3 ? header(r, "Location") : null;
            if (next != null && hop < MAX_REDIRECTS) {
                r.body().close();
                uri = uri.resolve(next);
                continue;
            }
            if (r.statusCode() >= 300 && r.statusCode() != 416) {
                r.body().close();
                throw error(r, spec, file);
            }
            return r;
        }
    }

    /** The one-line error for a network failure on the way to {@code uri}. */
    NanolensException unreachable(URI uri, IOException e) {
        return new NanolensException("cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + " (" + describe(e)
                + "); check the connection, or add --offline (or set HF_HUB_OFFLINE=1) to use only files already in "
                + settings.cache());
    }

    /** An exception's class and message in a few words. */
    static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Sends a request to the hub itself, following only relative redirects, and maps errors to messages. */
    private <T> HttpResponse<T> send(HttpRequest.Builder builder, HttpResponse.BodyHandler<T> body, HubSpec spec,
                                     String file) {
        HttpRequest request = builder.build();
        for (int hop = 0; ; hop++) {
            HttpResponse<T> r;
            try {
                r = exchange(request, body);
            } catch (IOException e) {
                throw unreachable(request.uri(), e);
            }
            String location = r.statusCode() / 100 == 3 ? header(r, "Location") : null;
            if (location != null && URI.create(location).getHost() == null && hop < MAX_REDIRECTS) {
                request = builder.copy().uri(request.uri().resolve(location)).build();
                continue;
            }
            if (r.statusCode() >= 400) {
                throw error(r, spec, file);
            }
            return r;
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NanolensException("interrupted while talking to " + request.uri().getAuthority());
        }
    }

    /** A request with the token when it goes to the endpoint's own host (never to a CDN). */
    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).header("User-Agent", "nanolens");
        URI endpoint = settings.endpoint();
        if (settings.token() != null && Objects.equals(uri.getScheme(), endpoint.getScheme())
                && Objects.equals(uri.getAuthority(), endpoint.getAuthority())) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    /** The message for an HTTP error, using the hub's X-Error-Code when it sends one. */
    private NanolensException error(HttpResponse<?> r, HubSpec spec, String file) {
        int status = r.statusCode();
        String code = Objects.requireNonNullElse(header(r, "X-Error-Code"), "");
        String repo = HubSpec.PREFIX + spec.repo();
        String access = settings.token() == null ? "; a private repository needs a token in HF_TOKEN"
                : "; or the token in HF_TOKEN has no access to it";
        if (code.equals("GatedRepo")) {
            return new NanolensException(repo + " is gated: accept its conditions at " + settings.endpoint() + "/"
                    + spec.repo() + " and set HF_TOKEN to a token of that account");
        }
        if (code.equals("RepoNotFound") || status == 404 && file == null && !code.equals("RevisionNotFound")) {
            return new NanolensException("no repository " + spec.repo() + " on " + settings.endpoint()
                    + " (HTTP " + status + "): check the name" + access);
        }
        if (code.equals("RevisionNotFound")) {
            return new NanolensException(repo + " has no revision '" + spec.revision()
                    + "' (a branch, tag or commit hash)");
        }
        if (code.equals("EntryNotFound") || status == 404) {
            return new NanolensException(repo + " has no file " + file + " at revision " + spec.revision());
        }
        if (status == 401 || status == 403) {
            return new NanolensException("the hub refused " + repo + " (HTTP " + status + ")" + access);
        }
        return new NanolensException("the hub answered HTTP " + status + " for " + r.uri()
                + "; try again later");
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** An ETag without quotes or the weak-validator prefix (huggingface_hub's {@code _normalize_etag}). */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    private static long parseSize(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Percent-encodes {@code text} as Python's {@code urllib.parse.quote}, keeping '/' only when asked. */
    static String encode(String text, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~".indexOf(c) >= 0 || keepSlash && c == '/';
            if (plain) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
