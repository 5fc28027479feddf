package io.nanolens.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.nanolens.NanolensException;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Json;
import io.nanolens.steer.FeatureEdit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./nanolens serve}: the explorer pages over HTTP with a live data source, a prompt page that shows
 * each token of a typed prompt with its most active features, and a steering playground. The JSON API (documented in the README):
 * <ul>
 *   <li>{@code GET /api/info} — model, hook, SAE and the server's limits;</li>
 *   <li>{@code GET /api/atlas} — the atlas index the index page reads (404 without an analysis);</li>
 *   <li>{@code GET /api/features/N} — feature N's card (404 when the analysis has none);</li>
 *   <li>{@code POST /api/trace} with {@code {"prompt": "...", "top": 5}} — the prompt's tokens, each with its
 *   top features;</li>
 *   <li>{@code POST /api/generate} with {@code {"prompt", "max_tokens", "temperature", "seed", "edits": [{"feature",
 *   "mode", "strength"}]}} — the continuation without and with the edits, same seed (the steering playground).</li>
 * </ul>
 * A bad request gets a 400 with {@code {"error": "..."}}, a busy server a 503; nothing a client sends ends the
 * server or shows a stack trace. The pages are the static explorer's own files, told to use the live source.
 */
public final class ExplorerServer implements AutoCloseable {
    /** Limits a client cannot exceed. */
    public record Limits(int maxPromptChars, int maxTop, int maxConcurrent, int maxNewTokens, int maxEdits) {
        public static final Limits DEFAULT = new Limits(4000, 32, 2, 200, 8);
    }

    private static final String EXPLORER_RESOURCES = "/io/nanolens/explorer/";
    private static final String WEB_RESOURCES = "/io/nanolens/web/";
    private static final List<String> EXPLORER_ASSETS = List.of("explorer.css", "explorer.js", "index.js",
            "feature.js");
    private static final List<String> WEB_ASSETS = List.of("live.js", "prompt.html", "prompt.js", "steer.html",
            "steer.js");
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
    public static ExplorerServer start(String host, int port, LiveModel tracer, DashboardData dashboard,
                                       Map<String, Object> info, Limits limits) {
        Semaphore traces = new Semaphore(limits.maxConcurrent());
        ObjectNode infoJson = Json.mapper().valueToTree(info);
        infoJson.put("max_prompt_chars", limits.maxPromptChars());
        infoJson.put("max_prompt_tokens", tracer.maxTokens());
        infoJson.put("max_top", limits.maxTop());
        infoJson.put("max_concurrent", limits.maxConcurrent());
        infoJson.put("max_new_tokens", limits.maxNewTokens());
        infoJson.put("max_edits", limits.maxEdits());
        infoJson.put("features", tracer.features());
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
            config.routes.post("/api/generate", ctx -> generate(ctx, tracer, traces, limits));
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

    private static void trace(Context ctx, LiveModel model, Semaphore busy, Limits limits)
            throws InterruptedException {
        JsonNode body = jsonBody(ctx, "{\"prompt\": \"Once upon a time\", \"top\": 5}");
        String prompt = prompt(body, limits);
        int top = wholeNumber(body, "top", 5, 1, limits.maxTop());
        runLimited(ctx, busy, () -> Map.of("tokens", model.trace(prompt, top)));
    }

    private static void generate(Context ctx, LiveModel model, Semaphore busy, Limits limits)
            throws InterruptedException {
        JsonNode body = jsonBody(ctx, "{\"prompt\": \"Once upon a time\", \"max_tokens\": 40, \"seed\": 1, "
                + "\"edits\": [{\"feature\": 12, \"mode\": \"clamp\", \"strength\": 8}]}");
        String prompt = prompt(body, limits);
        int maxTokens = wholeNumber(body, "max_tokens", 40, 1, limits.maxNewTokens());
        long seed = wholeNumber(body, "seed", 1, 0, Integer.MAX_VALUE);
        JsonNode t = body.path("temperature");
        float temperature = t.isMissingNode() ? 0.8f : (float) t.asDouble(-1);
        if (!t.isMissingNode() && !t.isNumber() || !(temperature >= 0 && temperature <= 5)) {
            throw new BadRequest("\"temperature\" must be a number from 0 to 5");
        }
        JsonNode editsNode = body.path("edits");
        if (!editsNode.isArray() || editsNode.size() > limits.maxEdits()) {
            throw new BadRequest("\"edits\" must be a list of at most " + limits.maxEdits()
                    + " edits like {\"feature\": 12, \"mode\": \"clamp\", \"strength\": 8}");
        }
        List<FeatureEdit> edits = new ArrayList<>();
        for (JsonNode e : editsNode) {
            int feature = wholeNumber(e, "feature", -1, 0, model.features() - 1);
            FeatureEdit.Mode mode;
            try {
                mode = FeatureEdit.Mode.of(e.path("mode").asText("clamp"));
            } catch (NanolensException ex) {
                throw new BadRequest(ex.getMessage());
            }
            JsonNode s = e.path("strength");
            if (mode != FeatureEdit.Mode.ABLATE && (!s.isNumber() || !Double.isFinite(s.asDouble())
                    || Math.abs(s.asDouble()) > 1e4)) {
                throw new BadRequest("each edit needs a number \"strength\" (at most 10000 in size)");
            }
            edits.add(FeatureEdit.of(LiveModel.SAE_NAME, feature, mode, (float) s.asDouble(0)));
        }
        runLimited(ctx, busy, () -> model.generate(prompt, edits, maxTokens, temperature, seed));
    }

    private static JsonNode jsonBody(Context ctx, String example) {
        try {
            JsonNode body = Json.mapper().readTree(ctx.body());
            if (body != null && body.isObject()) {
                return body;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new BadRequest("the body must be a JSON object like " + example);
    }

    private static String prompt(JsonNode body, Limits limits) {
        if (!body.path("prompt").isTextual()) {
            throw new BadRequest("the body needs a text field \"prompt\"");
        }
        String prompt = body.path("prompt").asText();
        if (prompt.length() > limits.maxPromptChars()) {
            throw new BadRequest("the prompt has " + prompt.length() + " characters; the limit is "
                    + limits.maxPromptChars());
        }
        return prompt;
    }

    /** A whole-number field within [min, max], or {@code absent} when the field is missing and absent ≥ min. */
    private static int wholeNumber(JsonNode body, String field, int absent, int min, int max) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() && absent >= min) {
            return absent;
        }
        if (!n.isInt() || n.asInt() < min || n.asInt() > max) {
            throw new BadRequest("\"" + field + "\" must be a whole number from " + min + " to " + max);
        }
        return n.asInt();
    }

    /** Runs {@code work} if one of the limited slots frees up within a few seconds, else answers 503. */
    private static void runLimited(Context ctx, Semaphore busy, java.util.function.Supplier<Object> work)
            throws InterruptedException {
        if (!busy.tryAcquire(BUSY_WAIT_SECONDS, TimeUnit.SECONDS)) {
            ctx.status(503).json(Map.of("error", "the server is busy with other prompts; try again"));
            return;
        }
        try {
            ctx.json(work.get());
        } finally {
            busy.release();
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
