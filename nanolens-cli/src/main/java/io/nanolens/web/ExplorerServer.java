package io.nanolens.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.nanolens.NanolensException;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./nanolens serve}: the explorer pages over HTTP with a live data source, plus a prompt page that shows
 * each token of a typed prompt with its most active features. The JSON API (documented in the README):
 * <ul>
 *   <li>{@code GET /api/info} — model, hook, SAE and the server's limits;</li>
 *   <li>{@code GET /api/atlas} — the atlas index the index page reads (404 without an analysis);</li>
 *   <li>{@code GET /api/features/N} — feature N's card (404 when the analysis has none);</li>
 *   <li>{@code POST /api/trace} with {@code {"prompt": "...", "top": 5}} — the prompt's tokens, each with its
 *   top features.</li>
 * </ul>
 * A bad request gets a 400 with {@code {"error": "..."}}, a busy server a 503; nothing a client sends ends the
 * server or shows a stack trace. The pages are the static explorer's own files, told to use the live source.
 */
public final class ExplorerServer implements AutoCloseable {
    /** Limits a client cannot exceed. */
    public record Limits(int maxPromptChars, int maxTop, int maxConcurrent) {
        public static final Limits DEFAULT = new Limits(4000, 32, 2);
    }

    private static final String EXPLORER_RESOURCES = "/io/nanolens/explorer/";
    private static final String WEB_RESOURCES = "/io/nanolens/web/";
    private static final List<String> EXPLORER_ASSETS = List.of("explorer.css", "explorer.js", "index.js",
            "feature.js");
    private static final List<String> WEB_ASSETS = List.of("live.js", "prompt.html", "prompt.js");
    private static final long MAX_REQUEST_BYTES = 64 * 1024;
    private static final long BUSY_WAIT_SECONDS = 10;

    private final Javalin app;

    private ExplorerServer(Javalin app) {
        this.app = app;
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one).
     *
     * @param dashboard the analysis to show, or null (the feature pages then say how to make one)
     * @param info      facts for {@code /api/info} (model, hook, SAE)
     */
    public static ExplorerServer start(String host, int port, PromptTracer tracer, DashboardData dashboard,
                                       Map<String, Object> info, Limits limits) {
        Semaphore traces = new Semaphore(limits.maxConcurrent());
        ObjectNode infoJson = Json.mapper().valueToTree(info);
        infoJson.put("max_prompt_chars", limits.maxPromptChars());
        infoJson.put("max_prompt_tokens", tracer.maxTokens());
        infoJson.put("max_top", limits.maxTop());
        infoJson.put("max_concurrent", limits.maxConcurrent());
        infoJson.put("analysis", dashboard != null);
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.jetty.host = host;
            config.jetty.port = port;
            config.routes.get("/", ctx -> ctx.redirect("index.html"));
            config.routes.get("/index.html", ctx -> html(ctx, livePage("index.html", "index.js")));
            config.routes.get("/feature.html", ctx -> html(ctx, livePage("feature.html", "feature.js")));
            for (String asset : EXPLORER_ASSETS) {
                config.routes.get("/" + asset, ctx -> asset(ctx, EXPLORER_RESOURCES + asset));
            }
            for (String asset : WEB_ASSETS) {
                config.routes.get("/" + asset, ctx -> asset(ctx, WEB_RESOURCES + asset));
            }
            config.routes.get("/api/info", ctx -> ctx.json(infoJson));
            config.routes.get("/api/atlas", ctx -> ctx.json(requireAnalysis(dashboard).atlas()));
            config.routes.get("/api/features/{n}", ctx -> {
                JsonNode card = requireAnalysis(dashboard).feature(featureIndex(ctx.pathParam("n")));
                if (card == null) {
                    ctx.status(404).json(Map.of("error", "the analysis has no feature " + ctx.pathParam("n")));
                } else {
                    ctx.json(card);
                }
            });
            config.routes.post("/api/trace", ctx -> trace(ctx, tracer, traces, limits));
            config.routes.exception(BadRequest.class, (e, ctx) ->
                    ctx.status(400).json(Map.of("error", e.getMessage())));
            config.routes.exception(NotFound.class, (e, ctx) ->
                    ctx.status(404).json(Map.of("error", e.getMessage())));
            config.routes.exception(NanolensException.class, (e, ctx) ->
                    ctx.status(400).json(Map.of("error", e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                System.err.println("nanolens serve: " + ctx.method() + " " + ctx.path() + " failed: " + e);
                ctx.status(500).json(Map.of("error", "internal error; the server keeps running"));
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new NanolensException("cannot listen on " + host + ":" + port + " (" + rootMessage(e)
                    + "); choose another --port or --host");
        }
        return new ExplorerServer(app);
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void trace(Context ctx, PromptTracer tracer, Semaphore traces, Limits limits)
            throws InterruptedException {
        JsonNode body;
        try {
            body = Json.mapper().readTree(ctx.body());
        } catch (IOException e) {
            throw new BadRequest("the body must be JSON like {\"prompt\": \"Once upon a time\", \"top\": 5}");
        }
        if (body == null || !body.path("prompt").isTextual()) {
            throw new BadRequest("the body needs a text field \"prompt\"");
        }
        String prompt = body.path("prompt").asText();
        if (prompt.length() > limits.maxPromptChars()) {
            throw new BadRequest("the prompt has " + prompt.length() + " characters; the limit is "
                    + limits.maxPromptChars());
        }
        JsonNode topNode = body.path("top");
        int top = topNode.isMissingNode() ? 5 : topNode.asInt(-1);
        if (!topNode.isMissingNode() && !topNode.isInt() || top < 1 || top > limits.maxTop()) {
            throw new BadRequest("\"top\" must be a whole number from 1 to " + limits.maxTop());
        }
        if (!traces.tryAcquire(BUSY_WAIT_SECONDS, TimeUnit.SECONDS)) {
            ctx.status(503).json(Map.of("error", "the server is busy with other prompts; try again"));
            return;
        }
        try {
            ctx.json(Map.of("tokens", tracer.trace(prompt, top)));
        } finally {
            traces.release();
        }
    }

    private static DashboardData requireAnalysis(DashboardData dashboard) {
        if (dashboard == null) {
            throw new NotFound("no feature analysis is loaded; run ./nanolens dashboard --out DIR and start "
                    + "the server with --dashboard DIR");
        }
        return dashboard;
    }

    private static int featureIndex(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n < 0) {
                throw new BadRequest("feature numbers start at 0, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest("'" + text + "' is not a feature number");
        }
    }

    /** An explorer page switched to the live source: the meta tag names it and live.js registers it. */
    private static String livePage(String page, String pageScript) {
        String html = resource(EXPLORER_RESOURCES + page);
        String meta = "<meta name=\"nanolens-source\" content=\"static\">";
        String script = "<script src=\"" + pageScript + "\"></script>";
        if (!html.contains(meta) || !html.contains(script)) {
            throw new IllegalStateException(page + " lacks the data-source meta tag or its script tag");
        }
        return html.replace(meta, "<meta name=\"nanolens-source\" content=\"live\">")
                .replace(script, "<script src=\"live.js\"></script>\n" + script);
    }

    private static void html(Context ctx, String page) {
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private static void asset(Context ctx, String path) {
        String type = path.endsWith(".css") ? "text/css" : path.endsWith(".html") ? "text/html" : "text/javascript";
        ctx.contentType(type + "; charset=utf-8").result(resource(path));
    }

    private static String resource(String path) {
        try (InputStream in = StaticExplorer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("web resource " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** A request for something the server does not have: 404 with this message. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
