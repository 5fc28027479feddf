package io.nanolens.explorer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The static explorer in a real browser: Debian's chromium, headless, driven through chromedriver by Selenium, with
 * pages opened from {@code file://} exactly as a user opens them. Expected rows, orders and counts are computed
 * here from the atlas, independently of the pages' JavaScript. Screenshots go to {@code target/screenshots/}.
 */
@Tag("slow")
class ExplorerBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final int PAGE_SIZE = 100;
    private static final int FEATURES = 600;

    @TempDir
    static Path tmp;

    private static ChromeDriver driver;
    private static FeatureAtlas atlas;
    private static Path explorer;
    private static Path hostile;

    @BeforeAll
    static void startBrowser() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: they need " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (on Debian: apt-get install -y chromium chromium-driver; .ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("profile")), "--window-size=1280,1000");
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);

        atlas = Atlases.random(FEATURES, 1024, 3, 12, 42);
        explorer = tmp.resolve("explorer");
        StaticExplorer.write(atlas, explorer);
        hostile = tmp.resolve("hostile");
        StaticExplorer.write(Atlases.hostile(), hostile);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void indexListsEveryFeatureOnePageAtATime() throws IOException {
        open(explorer, "index.html");
        assertEquals(FEATURES, matches());
        List<Integer> rows = rowIndices();
        assertEquals(atlas.features().subList(0, PAGE_SIZE).stream().map(FeatureCard::index).toList(), rows);
        screenshot("index");
        driver.findElement(By.id("next-page")).click();
        assertEquals(atlas.features().get(PAGE_SIZE).index(), rowIndices().getFirst());
    }

    @Test
    void clickingAHeaderSortsByItsColumnAndClickingAgainReverses() {
        open(explorer, "index.html");
        WebElement density = driver.findElement(By.cssSelector("th button[data-key=density]"));
        density.click();
        assertEquals(expectedOrder(Comparator.comparingDouble((FeatureCard c) -> (float) c.density()).reversed()),
                rowIndices());
        density.click();
        assertEquals(expectedOrder(Comparator.comparingDouble((FeatureCard c) -> (float) c.density())),
                rowIndices());
        driver.findElement(By.cssSelector("th button[data-key=label]")).click();
        assertEquals(expectedOrder(Comparator.comparing((FeatureCard c) -> c.label().toLowerCase(Locale.ROOT))),
                rowIndices());
    }

    @Test
    void densityRangeKeepsExactlyTheFeaturesInside() {
        open(explorer, "index.html");
        type("density-min", "0.5");
        type("density-max", "4");
        long expected = atlas.features().stream()
                .filter(c -> inRange((double) (float) c.density() * 100, 0.5, 4)).count();
        assertEquals(expected, matches());
        assertTrue(expected > 0 && expected < FEATURES, "the range should split the fixture, kept " + expected);
        for (String title : texts("#features tbody td:nth-child(3)", "title")) {
            double percent = Double.parseDouble(title) * 100;
            assertTrue(inRange(percent, 0.5, 4), "row with density " + percent + "%");
        }
    }

    @Test
    void searchKeepsFeaturesWhoseLabelHoldsTheText() {
        open(explorer, "index.html");
        type("search", "RIVER");
        long expected = atlas.features().stream().filter(c -> c.label().contains("river")).count();
        assertEquals(expected, matches());
        for (String label : texts("#features tbody td.label", null)) {
            assertTrue(label.contains("river"), label);
        }
    }

    @Test
    void conceptF1AndActivationFiltersCombine() {
        open(explorer, "index.html");
        type("f1-min", "0.4");
        type("activation-min", "3");
        long expected = atlas.features().stream().filter(c -> c.bestConcept() != null
                && (float) c.bestConcept().f1() >= 0.4 && c.maxActivation() >= 3).count();
        assertEquals(expected, matches());
        assertTrue(expected > 0 && expected < FEATURES, "the filters should split the fixture, kept " + expected);
    }

    @Test
    void featurePageShadesEveryTokenByItsActivationWithTheValueInItsTooltip() throws IOException {
        FeatureCard card = atlas.features().get(7);
        open(explorer, "feature.html?f=" + card.index());
        assertEquals(card.label(), driver.findElement(By.id("label")).getText());
        List<List<Map<String, String>>> lines = tokenSpans("#top .context");
        assertEquals(card.topContexts().size(), lines.size());
        for (int c = 0; c < lines.size(); c++) {
            ActivatingContext context = card.topContexts().get(c);
            List<Map<String, String>> spans = lines.get(c);
            assertEquals(context.tokens().size(), spans.size());
            for (int t = 0; t < spans.size(); t++) {
                Map<String, String> span = spans.get(t);
                float value = context.values()[t];
                assertEquals(context.tokens().get(t), span.get("text"));
                assertEquals(value, Float.parseFloat(span.get("value")));
                double shown = Double.parseDouble(span.get("title").replace("activation ", ""));
                assertEquals(value, shown, 1e-3 * Math.max(1, Math.abs(value)), "tooltip of token " + t);
                double alpha = alpha(span.get("background"));
                assertEquals(Math.min(1, value / card.maxActivation()), alpha, 0.01, "shade of token " + t);
                assertEquals(t == context.peak(), span.get("class").contains("peak"));
            }
        }
        int groups = driver.findElements(By.cssSelector("#quantiles .quantile")).size();
        assertEquals(card.quantiles().size(), groups);
        assertEquals(card.histogram().counts().length,
                driver.findElements(By.cssSelector("#histogram rect.bar")).size());
        assertEquals(card.promoted().stream().map(TokenEffect::token).toList(),
                texts("#logits table:first-child code", null));
        screenshot("feature");
    }

    @Test
    void neighbourLinkOpensTheNeighboursPage() {
        FeatureCard card = atlas.features().get(3);
        open(explorer, "feature.html?f=" + card.index());
        int neighbour = card.neighbours().getFirst().index();
        driver.findElement(By.cssSelector("#neighbours a")).click();
        waitReady();
        assertTrue(driver.getCurrentUrl().endsWith("feature.html?f=" + neighbour), driver.getCurrentUrl());
        assertTrue(driver.findElement(By.tagName("h2")).getText().startsWith("Feature #" + neighbour));
    }

    @Test
    void previousAndNextSkipToTheAdjacentFeaturesOfTheAtlas() {
        FeatureCard before = atlas.features().get(9);
        FeatureCard card = atlas.features().get(10);
        FeatureCard after = atlas.features().get(11);
        open(explorer, "feature.html?f=" + card.index());
        assertTrue(driver.findElement(By.id("prev-feature")).getDomAttribute("href")
                .endsWith("f=" + before.index()));
        driver.findElement(By.id("next-feature")).click();
        waitReady();
        assertTrue(driver.findElement(By.tagName("h2")).getText().startsWith("Feature #" + after.index()));
    }

    @Test
    void aFeatureMissingFromTheAtlasSaysSo() {
        int missing = 0;
        while (missing == atlas.features().get(missing).index()) {
            missing++;
        }
        open(explorer, "feature.html?f=" + missing);
        assertEquals("Feature #" + missing + " is not in this atlas.",
                driver.findElement(By.cssSelector("#feature p")).getText());
    }

    @Test
    void corpusMarkupOnTheIndexShowsAsTextAndRunsNothing() throws IOException {
        open(hostile, "index.html");
        assertEquals(Atlases.HOSTILE, texts("#features tbody td.label", null));
        assertTrue(driver.findElement(By.id("facts")).getText().contains(Atlases.HOSTILE.get(2)));
        assertNothingInjected();
        screenshot("index-hostile");
    }

    @Test
    void corpusMarkupOnAFeaturePageShowsAsTextAndRunsNothing() throws IOException {
        open(hostile, "feature.html?f=1");
        assertEquals(Atlases.HOSTILE.get(1), driver.findElement(By.id("label")).getDomProperty("textContent"));
        List<String> tokens = tokenSpans("#top .context").getFirst().stream().map(span -> span.get("text")).toList();
        assertEquals(Atlases.hostile().features().get(1).topContexts().getFirst().tokens(), tokens);
        assertNothingInjected();
        screenshot("feature-hostile");
    }

    @Test
    void sixteenThousandFeaturesLoadInTheIndexUnderTwoSeconds() throws IOException {
        Path big = tmp.resolve("big");
        StaticExplorer.write(Atlases.random(16_384, 16_384, 1, 8, 7), big);
        long start = System.nanoTime();
        open(big, "index.html");
        double wallMs = (System.nanoTime() - start) / 1e6;
        double pageMs = ((Number) js("return window.nanolensLoadMs;")).doubleValue();
        System.out.printf(Locale.ROOT, "16k-feature index: ready %.0f ms after navigation (%.0f ms wall)%n",
                pageMs, wallMs);
        assertEquals(16_384, matches());
        assertTrue(pageMs < 2000, "index took " + pageMs + " ms to render 16k features");
        long t0 = System.nanoTime();
        driver.findElement(By.cssSelector("th button[data-key=max_activation]")).click();
        type("search", "stone");
        double interactMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "16k-feature index: sort + search in %.0f ms%n", interactMs);
        screenshot("index-16k");
    }

    private static void open(Path dir, String page) {
        driver.get(dir.resolve("index.html").toUri().toString().replace("index.html", page));
        waitReady();
    }

    private static void waitReady() {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> js("return document.body.dataset.ready;") != null);
        String ready = (String) js("return document.body.dataset.ready;");
        if (!"true".equals(ready)) {
            fail("page failed to load: " + driver.findElement(By.id("error")).getText());
        }
    }

    private static Object js(String script, Object... arguments) {
        return driver.executeScript(script, arguments);
    }

    private static void type(String id, String text) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(text);
    }

    private static int matches() {
        return Integer.parseInt(driver.findElement(By.id("summary")).getDomAttribute("data-matches"));
    }

    /** The feature index of every table row, read in one call rather than one round trip per row. */
    private static List<Integer> rowIndices() {
        List<?> rows = (List<?>) js("return [...document.querySelectorAll('#features tbody tr')]"
                + ".map(row => row.getAttribute('data-index'));");
        return rows.stream().map(row -> Integer.parseInt((String) row)).toList();
    }

    /** The text (or, when named, an attribute) of every element the selector finds, in one call. */
    @SuppressWarnings("unchecked")
    private static List<String> texts(String selector, String attribute) {
        return (List<String>) js("return [...document.querySelectorAll(arguments[0])]"
                + ".map(e => arguments[1] ? e.getAttribute(arguments[1]) : e.textContent);", selector, attribute);
    }

    /** Per context line, per token span: its text, data-value, title, computed background and class. */
    @SuppressWarnings("unchecked")
    private static List<List<Map<String, String>>> tokenSpans(String lines) {
        return (List<List<Map<String, String>>>) js("return [...document.querySelectorAll(arguments[0])].map(line =>"
                + " [...line.querySelectorAll('.tok')].map(span => ({text: span.textContent,"
                + " value: span.getAttribute('data-value'), title: span.getAttribute('title'),"
                + " background: getComputedStyle(span).backgroundColor, class: span.className})));", lines);
    }

    /** The first page of feature indices under a stable sort of the atlas's cards (ties keep index order). */
    private static List<Integer> expectedOrder(Comparator<FeatureCard> order) {
        return atlas.features().stream().sorted(order).limit(PAGE_SIZE).map(FeatureCard::index).toList();
    }

    private static boolean inRange(double value, double min, double max) {
        return value >= min && value <= max;
    }

    /** The alpha of a computed CSS colour, "rgba(r, g, b, a)" or "rgb(r, g, b)". */
    private static double alpha(String colour) {
        String[] parts = colour.replaceAll("[^0-9.,]", "").split(",");
        return parts.length == 4 ? Double.parseDouble(parts[3]) : 1;
    }

    private static void assertNothingInjected() {
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "an alert fired");
        assertEquals(null, js("return window.__xss;"), "an injected handler ran");
        assertTrue(driver.findElements(By.cssSelector("img, [onerror], [onload]")).isEmpty(),
                "an injected element exists");
        assertEquals(Boolean.FALSE,
                js("return [...document.querySelectorAll('b')].some(b => b.textContent === 'bold');"),
                "an injected <b> exists");
        List<String> scripts = driver.findElements(By.tagName("script")).stream()
                .map(s -> s.getDomAttribute("src")).toList();
        for (String src : scripts) {
            assertFalse(src == null, "an inline script was injected");
            assertTrue(src.matches("explorer\\.js|index\\.js|feature\\.js|data/[a-z]+\\.js|data/features/\\d+\\.js"),
                    "unexpected script " + src);
        }
    }

    /** A screenshot of the whole page, not only the window, through the DevTools protocol. */
    private static void screenshot(String name) throws IOException {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "scale", 1,
                "width", ((Number) size.get("width")).doubleValue(),
                "height", ((Number) size.get("height")).doubleValue());
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.write(SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
    }
}
