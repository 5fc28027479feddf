package io.nanolens.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanolens.explorer.ActivatingContext;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.explorer.Histogram;
import io.nanolens.explorer.StaticExplorer;
import io.nanolens.io.Json;
import io.nanolens.model.Gpt;
import io.nanolens.model.GptConfig;
import io.nanolens.model.GptState;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;
import io.nanolens.model.Sampler;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.steer.FeatureEdit;
import io.nanolens.steer.InterpretableModel;
import io.nanolens.steer.Steering;
import io.nanolens.text.Bpe;
import io.nanolens.text.Tokenizer;
import io.nanolens.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live server over real HTTP on 127.0.0.1 and, where Debian's chromium is installed, in a real browser: the
 * trace API against a direct computation, the explorer pages on the live source, and bad requests answered with
 * 400 while the server keeps serving.
 */
class ExplorerServerTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path tmp;

    private static Gpt gpt;
    private static Tokenizer tokenizer;
    private static Sae sae;
    private static HookPoint hook;
    private static ExplorerServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        List<String> docs = List.of("Once upon a time a red fox ran to the hill.", "The blue bird sang a song.",
                "<script>alert(1)</script> is not a story.");
        tokenizer = Bpe.train(docs, 300);
        GptConfig config = new GptConfig(32, tokenizer.vocabSize(), 2, 2, 2, 16);
        gpt = new Gpt(config, 7);
        hook = HookPoint.parse("blocks.1.hook_resid_post", config);
        sae = Sae.create(SaeConfig.of(Architecture.RELU, 16, 64), 3);
        List<FeatureCard> cards = new ArrayList<>();
        for (int i = 0; i < 64; i += 2) {
            cards.add(new FeatureCard(i, "label " + i, 0.01 * (i % 7), i, null,
                    List.of(new ActivatingContext(List.of("<b>", "fox"), new float[] {0.5f, 1f}, 1)), List.of(),
                    Histogram.EMPTY, List.of(), List.of(), List.of()));
        }
        Path explorer = tmp.resolve("explorer");
        StaticExplorer.write(new FeatureAtlas("tiny", hook.name(), "relu", "relu", 64, 100, List.of(), cards),
                explorer);
        server = ExplorerServer.start("127.0.0.1", 0, new LiveModel(gpt, tokenizer, sae, hook),
                new DashboardData(explorer), Map.of("model", "tiny", "hook", hook.name(), "sae", "relu"),
                new ExplorerServer.Limits(200, 8, 2, 30, 4));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void traceGivesEachTokenItsLargestFeaturesAsTheSaeComputesThem() throws Exception {
        String prompt = "a red fox sang";
        HttpResponse<String> r = post("/api/trace", "{\"prompt\": \"" + prompt + "\", \"top\": 3}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode tokens = Json.readTree(r.body(), "trace").path("tokens");
        int[] ids = tokenizer.encode(prompt);
        assertEquals(ids.length, tokens.size());
        int[] input = new int[ids.length + 1];
        input[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, input, 1, ids.length);
        GptState state = GptState.forInference(gpt.config(), 1, input.length);
        Hooks hooks = new Hooks();
        Map<HookPoint, Tensor> cache = hooks.cache(hook);
        gpt.forward(state, input, 1, input.length, null, hooks);
        float[] acts = cache.get(hook).data();
        for (int t = 0; t < ids.length; t++) {
            float[] row = java.util.Arrays.copyOfRange(acts, (t + 1) * 16, (t + 2) * 16);
            float[] f = sae.encode(row, 1);
            JsonNode features = tokens.get(t).path("features");
            assertEquals(tokenizer.decode(ids, t, t + 1), tokens.get(t).path("text").asText());
            // Expected: the indices of the (up to) three largest positive latents, largest first, by a plain sort.
            List<Integer> expected = java.util.stream.IntStream.range(0, f.length).boxed().filter(i -> f[i] > 0)
                    .sorted((a, b) -> Float.compare(f[b], f[a])).limit(3).toList();
            List<Integer> actual = new ArrayList<>();
            for (JsonNode feature : features) {
                actual.add(feature.path("index").asInt());
                assertEquals(f[feature.path("index").asInt()], (float) feature.path("value").asDouble(), 1e-5);
            }
            assertEquals(expected, actual, "token " + t);
        }
    }

    @Test
    void generateGivesTheSameSeedsContinuationWithoutAndWithTheEdits() throws Exception {
        HttpResponse<String> r = post("/api/generate", "{\"prompt\": \"the red\", \"max_tokens\": 10, "
                + "\"temperature\": 0.7, \"seed\": 4, \"edits\": [{\"feature\": 9, \"mode\": \"clamp\", "
                + "\"strength\": 20}, {\"feature\": 3, \"mode\": \"ablate\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.readTree(r.body(), "generate");
        InterpretableModel im = new InterpretableModel(gpt, tokenizer).attach("sae", sae, hook);
        assertEquals(im.complete("the red", 10, new Sampler(0.7f, 50, 4)), body.path("plain").asText());
        try (Steering s = im.steer(FeatureEdit.of("sae", 9, FeatureEdit.Mode.CLAMP, 20f),
                FeatureEdit.of("sae", 3, FeatureEdit.Mode.ABLATE, 0f))) {
            assertEquals(im.complete("the red", 10, new Sampler(0.7f, 50, 4)), body.path("steered").asText());
        }
        for (String bad : List.of("{\"prompt\": \"a\", \"edits\": [{\"feature\": 64, \"strength\": 1}]}",
                "{\"prompt\": \"a\", \"edits\": [{\"feature\": 1, \"mode\": \"boost\", \"strength\": 1}]}",
                "{\"prompt\": \"a\", \"edits\": [{\"feature\": 1, \"mode\": \"add\"}]}",
                "{\"prompt\": \"a\", \"edits\": {}}",
                "{\"prompt\": \"a\", \"edits\": [], \"max_tokens\": 31}",
                "{\"prompt\": \"a\", \"edits\": [], \"temperature\": \"hot\"}",
                "{\"prompt\": \"a\", \"edits\": [{}, {}, {}, {}, {}]}")) {
            HttpResponse<String> answer = post("/api/generate", bad);
            assertEquals(400, answer.statusCode(), bad + " → " + answer.body());
        }
    }

    @Test
    void badRequestsGet400AndTheServerKeepsServing() throws Exception {
        for (String body : List.of("not json", "{}", "{\"prompt\": 5}", "{\"prompt\": \"\"}",
                "{\"prompt\": \"" + "x".repeat(201) + "\"}", "{\"prompt\": \"fox\", \"top\": 0}",
                "{\"prompt\": \"fox\", \"top\": \"three\"}", "{\"prompt\": \"" + "fox ".repeat(40) + "\"}")) {
            HttpResponse<String> r = post("/api/trace", body);
            assertEquals(400, r.statusCode(), body + " → " + r.body());
            String error = Json.readTree(r.body(), "error").path("error").asText();
            assertFalse(error.isBlank() || error.contains("Exception") || error.contains("\tat "), error);
        }
        assertEquals(400, get("/api/features/abc").statusCode());
        assertEquals(400, get("/api/features/-3").statusCode());
        assertEquals(404, get("/api/features/1").statusCode(), "odd features are not in the analysis");
        assertEquals(200, post("/api/trace", "{\"prompt\": \"fox\"}").statusCode());
    }

    @Test
    void theApiServesTheSameDataAsTheStaticFiles() throws Exception {
        JsonNode atlas = Json.readTree(get("/api/atlas").body(), "atlas");
        assertEquals(32, atlas.path("columns").path("index").size());
        JsonNode card = Json.readTree(get("/api/features/4").body(), "card");
        assertEquals("label 4", card.path("label").asText());
        assertEquals("<b>", card.path("top_contexts").get(0).path("tokens").get(0).asText());
        JsonNode info = Json.readTree(get("/api/info").body(), "info");
        assertEquals(200, info.path("max_prompt_chars").asInt());
        assertTrue(info.path("analysis").asBoolean());
        String page = get("/index.html").body();
        assertTrue(page.contains("content=\"live\"") && page.contains("live.js"), page);
    }

    @Test
    void theBrowserShowsAPromptsTokensAndFeaturePagesFromTheLiveSource() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: it needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (on Debian: apt-get install -y chromium chromium-driver; .ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("profile")), "--window-size=1280,900");
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            Path shots = Files.createDirectories(Path.of("target", "screenshots"));
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
            driver.get(base() + "/prompt.html");
            WebElement prompt = driver.findElement(By.id("prompt"));
            prompt.clear();
            prompt.sendKeys("a red fox");
            driver.findElement(By.id("run")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "tokens"));
            List<WebElement> tokens = driver.findElements(By.cssSelector(".trace-token"));
            assertEquals(tokenizer.encode("a red fox").length, tokens.size());
            Files.write(shots.resolve("live-prompt.png"), driver.getScreenshotAs(OutputType.BYTES));

            driver.get(base() + "/index.html");
            wait.until(d -> !d.findElements(By.cssSelector("tbody tr")).isEmpty());
            assertEquals(32, Integer.parseInt(driver.findElement(By.id("summary")).getDomAttribute("data-matches")));
            Files.write(shots.resolve("live-index.png"), driver.getScreenshotAs(OutputType.BYTES));
            driver.get(base() + "/feature.html?f=4");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "label 4"));
            assertTrue(driver.findElement(By.tagName("body")).getText().contains("<b>"),
                    "the token <b> shows as text");
            Files.write(shots.resolve("live-feature.png"), driver.getScreenshotAs(OutputType.BYTES));

            driver.get(base() + "/steer.html?f=9");
            assertEquals("9", driver.findElement(By.cssSelector(".edit-feature")).getDomProperty("value"));
            WebElement steerPrompt = driver.findElement(By.id("prompt"));
            steerPrompt.clear();
            steerPrompt.sendKeys("the red");
            WebElement tokensBox = driver.findElement(By.id("max-tokens"));
            tokensBox.clear();
            tokensBox.sendKeys("10");
            driver.findElement(By.id("run")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "done"));
            InterpretableModel im = new InterpretableModel(gpt, tokenizer).attach("sae", sae, hook);
            assertEquals(im.complete("the red", 10, new Sampler(0.8f, 50, 1)).strip(),
                    driver.findElement(By.id("plain")).getText().strip());
            assertFalse(driver.findElement(By.id("steered")).getText().isBlank());
            Files.write(shots.resolve("live-steer.png"), driver.getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.quit();
        }
    }

    private static String base() {
        return "http://127.0.0.1:" + server.port();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
