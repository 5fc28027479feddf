package io.nanolens.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A Hugging Face hub serving local directories as repositories on 127.0.0.1, for the command-line tests: the file
 * list API and {@code resolve} URLs with the hub's headers (X-Repo-Commit, ETag = the file's sha256, size). The
 * download details (CDN redirects, dropped connections) are tested in the core module; here it only has to be real
 * enough for {@code pull} and {@code --model hf:...} to run end to end.
 */
final class LocalHub implements AutoCloseable {
    static final String COMMIT = "c0ffee0000000000000000000000000000c0ffee";

    private final HttpServer server;
    private final Map<String, Map<String, byte[]>> repos = new TreeMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    LocalHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves every file under {@code dir} as repository {@code repo}, under {@code folder} ("" for the top). */
    LocalHub serve(String repo, String folder, Path dir) throws IOException {
        Map<String, byte[]> files = repos.computeIfAbsent(repo, r -> new TreeMap<>());
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = dir.relativize(p).toString();
                files.put(folder.isEmpty() ? name : folder + "/" + name, Files.readAllBytes(p));
            }
        }
        return this;
    }

    /** The paths requested so far. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        requests.add(x.getRequestMethod() + " " + path);
        x.getResponseHeaders().set("X-Repo-Commit", COMMIT);
        for (Map.Entry<String, Map<String, byte[]>> repo : repos.entrySet()) {
            String api = "/api/models/" + repo.getKey() + "/revision/";
            String resolve = "/" + repo.getKey() + "/resolve/";
            if (path.startsWith(api)) {
                StringBuilder json = new StringBuilder("{\"sha\":\"" + COMMIT + "\",\"siblings\":[");
                repo.getValue().keySet().forEach(f -> json.append("{\"rfilename\":\"").append(f).append("\"},"));
                json.setLength(json.length() - 1);
                send(x, 200, json.append("]}").toString().getBytes());
                return;
            }
            if (path.startsWith(resolve)) {
                String rest = path.substring(resolve.length());
                byte[] bytes = repo.getValue().get(rest.substring(rest.indexOf('/') + 1));
                if (bytes != null) {
                    x.getResponseHeaders().set("ETag", "\"" + sha256(bytes) + "\"");
                    send(x, 200, bytes);
                    return;
                }
                x.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                send(x, 404, new byte[0]);
                return;
            }
        }
        x.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
        send(x, 401, new byte[0]);
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

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
