package io.nanolens.hub;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 server on a plain socket for tests on 127.0.0.1: one request per connection
 * ({@code Connection: close}), and a response that may stop after part of its announced body (then wait, then close
 * the socket), which is how a dropped or stalled download looks to the client.
 */
final class RawHttp implements AutoCloseable {
    /** Handles one request. */
    interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    /** One request and the means to answer it. */
    static final class Exchange {
        private final String method;
        private final String path;
        private final Map<String, String> headers;
        private final OutputStream out;

        Exchange(String method, String path, Map<String, String> headers, OutputStream out) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.out = out;
        }

        String method() {
            return method;
        }

        String path() {
            return path;
        }

        /** A request header, by case-insensitive name; null when absent. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /**
         * Answers with {@code body} announced in full, but sends only its first {@code sent} bytes; when fewer than
         * all, waits {@code stallMillis} before the connection closes.
         */
        void respond(int status, Map<String, String> extra, byte[] body, int sent, long stallMillis)
                throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n");
            extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, sent);
            out.flush();
            if (sent < body.length && stallMillis > 0) {
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private final ServerSocket socket;
    private final Handler handler;

    RawHttp(Handler handler) throws IOException {
        this.handler = handler;
        this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a listening socket only fails when it is already closed
        }
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            String[] request = line(in).split(" ");
            Map<String, String> headers = new HashMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
            }
            handler.handle(new Exchange(request[0], request[1], headers, out));
        } catch (IOException | RuntimeException e) {
            // the client went away, or the test stopped the server
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
