package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.web.DashboardData;
import io.nanolens.web.ExplorerServer;
import io.nanolens.web.LiveModel;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens serve}: the live explorer. Loads the model and the SAE, optionally an explorer directory
 * written by {@code dashboard}, and serves the explorer pages plus the prompt page until Ctrl-C. Loopback only
 * unless {@code --host} says otherwise.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve the feature explorer and a prompt page that shows each token's features.",
        footer = {"", "Pages: /index.html (all features), /feature.html?f=N, /prompt.html (type a prompt),",
                "/steer.html (generate with and without steering, same seed).",
                "JSON API: GET /api/info, GET /api/atlas, GET /api/features/N, POST /api/trace,",
                "POST /api/generate (see README).",
                "", "Examples:",
                "  ./nanolens serve --model runs/demo/model --sae runs/demo/sae --dashboard runs/demo/explorer",
                "  ./nanolens serve --model runs/demo/model --sae runs/demo/sae --port 8080"})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory.")
    Path model;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory (SAELens layout).")
    Path sae;

    @Option(names = "--dashboard", paramLabel = "DIR",
            description = "An explorer directory written by ./nanolens dashboard, for the feature pages.")
    Path dashboard;

    @Option(names = "--port", defaultValue = "7860", paramLabel = "PORT",
            description = "Port to listen on, 0 = any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--max-prompt-chars", defaultValue = "4000", paramLabel = "N",
            description = "Longest prompt accepted (default: ${DEFAULT-VALUE}).")
    int maxPromptChars;

    @Option(names = "--max-concurrent", defaultValue = "2", paramLabel = "N",
            description = "Prompts run at once; more wait, then get 503 (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--max-new-tokens", defaultValue = "200", paramLabel = "N",
            description = "Most tokens the steering playground generates per request (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    /** Counted down once the server listens; tests wait on it. */
    final CountDownLatch started = new CountDownLatch(1);
    /** The running server, for tests. */
    volatile ExplorerServer server;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535 || maxPromptChars < 1 || maxConcurrent < 1 || maxNewTokens < 1) {
            throw new NanolensException("--port must be 0 to 65535 and the limits at least 1");
        }
        ModelWithSae loaded = ModelWithSae.load(model, sae);
        HookPoint hook = loaded.hook();
        SaeDirectory saeDir = loaded.sae();
        LiveModel tracer = new LiveModel(loaded.model().gpt(), loaded.model().tokenizer(), saeDir.sae(), hook);
        DashboardData data = dashboard == null ? null : new DashboardData(dashboard);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", model.toString());
        info.put("hook", hook.name());
        info.put("sae", sae.toString());
        info.put("architecture", saeDir.sae().architecture().id());
        info.put("d_sae", saeDir.sae().dSae());
        ExplorerServer.Limits limits = new ExplorerServer.Limits(maxPromptChars, ExplorerServer.Limits.DEFAULT.maxTop(),
                maxConcurrent, maxNewTokens, ExplorerServer.Limits.DEFAULT.maxEdits());
        server = ExplorerServer.start(host, port, tracer, data, info, limits);
        PrintWriter out = spec.commandLine().getOut();
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/";
        out.println("serving " + model + " with " + sae + " at " + base);
        out.println("  features: " + base + "index.html" + (data == null ? " (needs --dashboard DIR)" : ""));
        out.println("  prompt  : " + base + "prompt.html");
        out.println("  steering: " + base + "steer.html");
        out.println("Ctrl-C stops the server.");
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Thread hookThread = new Thread(stop::countDown);
        Runtime.getRuntime().addShutdownHook(hookThread);
        started.countDown();
        try {
            stop.await();
        } finally {
            server.close();
        }
        return 0;
    }
}
