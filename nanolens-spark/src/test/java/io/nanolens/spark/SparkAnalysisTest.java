package io.nanolens.spark;

import io.nanolens.analysis.AnalysisConfig;
import io.nanolens.analysis.AnalysisResult;
import io.nanolens.analysis.AnalysisSubject;
import io.nanolens.analysis.FeatureAnalysis;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.explorer.FeatureCard;
import io.nanolens.sae.Architecture;
import io.nanolens.sae.Sae;
import io.nanolens.sae.SaeConfig;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;
import io.nanolens.sae.SaeMetadata;
import io.nanolens.text.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark analysis against the local pass ({@link FeatureAnalysis#run}) on the same corpus: the same token count,
 * concept table and atlas, every card equal (top contexts, band samples, histogram, density, max, concept, logit
 * effects, neighbours), with the corpus split into four partitions and the token budget ending inside the last.
 */
class SparkAnalysisTest {
    @TempDir
    static Path dir;

    @Test
    void fourPartitionsGiveTheLocalPassCardForCard() throws IOException {
        Path model = SparkFixtures.model(Files.createDirectories(dir.resolve("model")), 32, 2);
        Path sae = dir.resolve("sae");
        SaeConfig config = SaeConfig.of(Architecture.TOP_K, 32, 64).withK(8);
        SaeLensFormat.write(sae, new SaeDirectory(Sae.create(config, 3),
                SaeMetadata.of(model.toString(), SparkFixtures.HOOK, 32), null));
        String corpus = "tinyworld:6:80";
        AnalysisConfig settings = AnalysisConfig.of(30_000, true);
        SparkAnalysis.Report report = SparkAnalysis.run(SparkFixtures.spark(), new SparkAnalysis.Settings(
                model.toString(), sae.toString(), null, corpus, 4), settings, null);
        AnalysisResult spark = report.result();
        AnalysisResult local = FeatureAnalysis.run(AnalysisSubject.load(model, sae, null), Corpus.open(corpus),
                settings, null, FeatureAnalysis.Listener.NONE);
        assertEquals(30_000, local.tokens(), "the corpus must hold more tokens than the budget");
        assertEquals(local.tokens(), spark.tokens());
        assertNotNull(local.concepts());
        assertEquals(local.concepts(), spark.concepts());
        FeatureAtlas a = local.atlas();
        FeatureAtlas b = spark.atlas();
        assertEquals(List.of(a.modelName(), a.hookName(), a.saeName(), a.architecture(), a.dSae(), a.conceptNames()),
                List.of(b.modelName(), b.hookName(), b.saeName(), b.architecture(), b.dSae(), b.conceptNames()));
        int fired = 0;
        for (int j = 0; j < config.dSae(); j++) {
            FeatureCard card = a.features().get(j);
            assertEquals(card, b.features().get(j), "feature " + j);
            fired += card.topContexts().size() == settings.topContexts() ? 1 : 0;
        }
        assertTrue(fired > 10, "too few features fill their top contexts to compare: " + fired);
    }
}
