package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Directories;
import io.nanolens.model.HookPoint;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.text.Corpus;
import io.nanolens.web.DashboardData;
import io.nanolens.web.ExplorerServer;
import io.nanolens.web.LiveModel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
            description = "An explorer directory written by ./nanolens dashboard, for the feature pages "
                    + "(default: analyse --corpus now).")
    Path dashboard;

    @Option(names = "--corpus", defaultValue = "tinyworld", paramLabel = "SRC",
            description = "Without --dashboard: the corpus analysed at start-up (default: ${DEFAULT-VALUE}).")
    String corpus;

    @Option(names = "--tokens", defaultValue = "50000", paramLabel = "N",
            description = "Without --dashboard: tokens analysed at start-up (default: ${DEFAULT-VALUE}).")
    long tokens;

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
        PrintWriter out = spec.commandLine().getOut();
        Path explorer = dashboard != null ? dashboard : analyse(loaded, out);
        DashboardData data = new DashboardData(explorer);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", model.toString());
        info.put("hook", hook.name());
        info.put("sae", sae.toString());
        info.put("architecture", saeDir.sae().architecture().id());
        info.put("d_sae", saeDir.sae().dSae());
        ExplorerServer.Limits limits = new ExplorerServer.Limits(maxPromptChars, ExplorerServer.Limits.DEFAULT.maxTop(),
                maxConcurrent, maxNewTokens, ExplorerServer.Limits.DEFAULT.maxEdits());
        server = ExplorerServer.start(host, port, tracer, data, info, limits);
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/";
        out.println("serving " + model + " with " + sae + " at " + base);
        out.println("  features: " + base + "index.html");
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
            if (dashboard == null) {
                Directories.deleteQuietly(explorer.getParent());
            }
        }
        return 0;
    }

    /** Without --dashboard: the analysis pass over --corpus, written to a temporary explorer directory. */
    private Path analyse(ModelWithSae loaded, PrintWriter out) {
        if (tokens < 1) {
            throw new NanolensException("--tokens must be at least 1, got " + tokens);
        }
        Corpus text = Corpus.open(corpus);
        Integer context = loaded.sae().metadata().contextSize();
        AnalysisSubject subject = new AnalysisSubject(model.toString(), loaded.model().gpt(),
                loaded.model().tokenizer(), sae.toString(), loaded.sae().sae(), loaded.hook(),
                context == null ? AnalysisConfig.DEFAULT_CONTEXT_SIZE
                        : Math.min(context, loaded.model().gpt().config().sequenceLen()));
        out.printf("analysing %,d tokens of %s for the feature pages (--dashboard DIR skips this)%n", tokens,
                text.description());
        out.flush();
        AnalysisResult result;
        try (AnalysisProgress progress = AnalysisProgress.of(out)) {
            result = FeatureAnalysis.run(subject, text, AnalysisConfig.of(tokens,
                    text.source().startsWith("tinyworld")), null, progress);
        }
        try {
            Path dir = Files.createTempDirectory("nanolens-serve-");
            Path explorer = dir.resolve("explorer");
            StaticExplorer.write(result.atlas(), explorer);
            return explorer;
        } catch (IOException e) {
            throw new NanolensException("cannot write the analysis to a temporary directory: " + e.getMessage());
        }
    }
}
