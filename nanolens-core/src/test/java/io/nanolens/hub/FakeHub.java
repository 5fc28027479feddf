package io.nanolens.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face hub in miniature on 127.0.0.1 for the download tests: one repository with a branch {@code main}
 * at a commit, the file-list API, {@code resolve} URLs answering HEAD and GET with the hub's headers (a small file
 * with its git sha1 as ETag, a large "LFS" file as a 302 to a second server, the CDN, with X-Linked-Etag = sha256
 * and X-Linked-Size), Range requests on the CDN, and faults on demand: a connection dropped or gone silent
 * mid-file, corrupted bytes, a required token, a renamed repository. Every request is logged. The CDN is a plain
 * socket server ({@link RawHttp}) because the JDK's HttpServer cannot drop a connection mid-body.
 */
final class FakeHub implements AutoCloseable {
    /** One request as the servers saw it. */
    record Request(String server, String method, String path, String range, String authorization) {
    }

    private final String repo;
    private final HttpServer hub;
    private final RawHttp cdn;
    private final List<Request> log = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();   // path at the current commit → bytes
    private final Map<String, Boolean> lfs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();   // sha256 → bytes, kept across commits
    private volatile String commit;
    private volatile String token;
    private volatile String oldName;
    private final AtomicInteger drops = new AtomicInteger();
    private volatile long dropAfter;
    private volatile long stallMillis;
    private volatile boolean corrupt;

    FakeHub(String repo, String commit) throws IOException {
        this.repo = repo;
        this.commit = commit;
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", this::hub);
        hub.start();
        cdn = new RawHttp(this::cdn);
    }

    /** The hub's address, for HF_ENDPOINT. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Adds (or replaces) a file at the current commit; a large one is served the LFS way. */
    FakeHub file(String path, byte[] bytes, boolean large) {
        files.put(path, bytes);
        lfs.put(path, large);
        if (large) {
            blobs.put(sha256(bytes), bytes);
        }
        return this;
    }

    FakeHub file(String path, String text) {
        return file(path, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Moves {@code main} to another commit (the files stay as they are unless replaced). */
    void commit(String newCommit) {
        commit = newCommit;
    }

    /** Requests to the hub need {@code Authorization: Bearer token} from now on. */
    void requireToken(String required) {
        token = required;
    }

    /** The repository also answers under {@code old}, with relative redirects to its current name. */
    void renamedFrom(String old) {
        oldName = old;
    }

    /** The next {@code times} GETs on the CDN send {@code after} bytes of the body, then drop the connection. */
    void dropConnections(int times, long after) {
        dropAfter = after;
        stallMillis = 0;
        drops.set(times);
    }

    /** The next GET on the CDN sends {@code after} bytes, then nothing for {@code millis} before it drops. */
    void stallConnection(long after, long millis) {
        dropAfter = after;
        stallMillis = millis;
        drops.set(1);
    }

    /** The CDN flips a byte in everything it sends. */
    void corrupt() {
        corrupt = true;
    }

    List<Request> log() {
        return List.copyOf(log);
    }

    List<Request> log(String server) {
        return log.stream().filter(r -> r.server().equals(server)).toList();
    }

    /** Stops both servers; later connections are refused. */
    @Override
    public void close() {
        hub.stop(0);
        cdn.close();
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    /** Git's blob id, the ETag the hub gives a small file: sha1 of "blob {size}\0" and the bytes. */
    static String gitSha1(byte[] bytes) {
        byte[] head = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + bytes.length);
        System.arraycopy(bytes, 0, all, head.length, bytes.length);
        return HexFormat.of().formatHex(digest("SHA-1", all));
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void hub(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        Headers in = x.getRequestHeaders();
        log.add(new Request("hub", x.getRequestMethod(), path, in.getFirst("Range"), in.getFirst("Authorization")));
        if (oldName != null && path.contains("/" + oldName + "/")) {
            x.getResponseHeaders().set("Location", path.replace("/" + oldName + "/", "/" + repo + "/"));
            send(x, 307, new byte[0]);
            return;
        }
        if (token != null && !("Bearer " + token).equals(in.getFirst("Authorization"))) {
            x.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(x, 401, new byte[0]);
            return;
        }
        String api = "/api/models/" + repo + "/revision/";
        String resolve = "/" + repo + "/resolve/";
        if (path.startsWith(api)) {
            listing(x, path.substring(api.length()));
        } else if (path.startsWith(resolve)) {
            String rest = path.substring(resolve.length());
            int slash = rest.indexOf('/');
            resolve(x, rest.substring(0, slash), rest.substring(slash + 1));
        } else {
            x.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(x, 401, new byte[0]);
        }
    }

    private void listing(HttpExchange x, String revision) throws IOException {
        if (!revision.equals("main") && !revision.equals(commit)) {
            x.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
            send(x, 404, new byte[0]);
            return;
        }
        StringBuilder json = new StringBuilder("{\"id\":\"" + repo + "\",\"sha\":\"" + commit + "\",\"siblings\":[");
        List<String> names = new ArrayList<>(files.keySet());
        for (int i = 0; i < names.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"rfilename\":\"").append(names.get(i)).append("\"}");
        }
        send(x, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    private void resolve(HttpExchange x, String revision, String file) throws IOException {
        Headers out = x.getResponseHeaders();
        out.set("X-Repo-Commit", commit);
        byte[] bytes = files.get(file);
        if (bytes == null || !revision.equals("main") && !revision.equals(commit)) {
            out.set("X-Error-Code", bytes == null ? "EntryNotFound" : "RevisionNotFound");
            send(x, 404, new byte[0]);
            return;
        }
        if (lfs.get(file)) {
            String sha = sha256(bytes);
            out.set("X-Linked-Etag", "\"" + sha + "\"");
            out.set("X-Linked-Size", Long.toString(bytes.length));
            out.set("ETag", "\"" + gitSha1(sha.getBytes(StandardCharsets.UTF_8)) + "\"");
            out.set("Location", "http://127.0.0.1:" + cdn.port() + "/blobs/" + sha);
            send(x, 302, new byte[0]);
            return;
        }
        out.set("ETag", "\"" + gitSha1(bytes) + "\"");
        send(x, 200, bytes);
    }

    private void cdn(RawHttp.Exchange x) throws IOException {
        String path = x.path();
        String range = x.header("Range");
        log.add(new Request("cdn", x.method(), path, range, x.header("Authorization")));
        byte[] bytes = path.startsWith("/blobs/") ? blobs.get(path.substring("/blobs/".length())) : null;
        if (bytes == null) {
            x.respond(404, Map.of(), new byte[0], 0, 0);
            return;
        }
        if (corrupt) {
            bytes = bytes.clone();
            bytes[bytes.length / 2] ^= 1;
        }
        long from = range == null ? 0 : Long.parseLong(range.replaceAll("bytes=(\\d+)-", "$1"));
        byte[] body = Arrays.copyOfRange(bytes, (int) from, bytes.length);
        Map<String, String> headers = from == 0 ? Map.of()
                : Map.of("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        boolean fault = drops.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        int sent = fault ? (int) Math.min(dropAfter, body.length - 1) : body.length;
        x.respond(from > 0 ? 206 : 200, headers, body, sent, fault ? stallMillis : 0);
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        boolean head = x.getRequestMethod().equals("HEAD");
        if (head) {
            x.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        x.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream os = x.getResponseBody()) {
                os.write(body);
            }
        }
        x.close();
    }

    /** The files of the current commit, path → bytes. */
    Map<String, byte[]> files() {
        return new LinkedHashMap<>(files);
    }
}
