package io.nanolens.sae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanolens.io.Directories;
import io.nanolens.NanolensException;
import io.nanolens.io.AtomicFiles;
import io.nanolens.io.Json;
import io.nanolens.io.SafeTensors;
import io.nanolens.sae.SaeConfig;
import io.nanolens.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a sweep between steps, in {@code RUN/checkpoint/}: per SAE {@code NAME.safetensors} (parameters and
 * Adam moments, exact float32) and one {@code state.json} (step, tokens, each SAE's config, Adam step count,
 * learned threshold and dead-latent clocks). A new checkpoint is written whole into {@code checkpoint.tmp/} and
 * then swapped in by renames, so a crash at any moment leaves either the old checkpoint or the new one.
 */
final class SaeCheckpoint {
    static final String DIR = "checkpoint";
    private static final String STATE = "state.json";
    private static final String ADAM = "adam.";

    private SaeCheckpoint() {
    }

    /** The step and token count a checkpoint was taken at. */
    record State(int step, long tokens) {
    }

    static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(DIR).resolve(STATE))
                || Files.isRegularFile(runDir.resolve(DIR + ".old").resolve(STATE));
    }

    static void save(Path runDir, int step, long tokens, List<SaeRun> runs) {
        Path tmp = runDir.resolve(DIR + ".tmp");
        Path dir = runDir.resolve(DIR);
        Path old = runDir.resolve(DIR + ".old");
        try {
            Directories.deleteTree(tmp);
            Files.createDirectories(tmp);
            ObjectNode state = Json.object();
            state.put("step", step);
            state.put("tokens", tokens);
            ArrayNode saes = state.putArray("saes");
            for (SaeRun r : runs) {
                Map<String, Tensor> tensors = new LinkedHashMap<>(r.sae().parameters());
                r.adam().state().forEach((name, t) -> tensors.put(ADAM + name, t));
                SafeTensors.write(tmp.resolve(r.name() + ".safetensors"), tensors, Map.of());
                ObjectNode s = saes.addObject();
                s.put("name", r.name());
                s.set("config", Json.toTree(r.sae().config()));
                s.put("adam_steps", r.adam().steps());
                double theta = r.sae().batchThreshold();
                if (!Double.isNaN(theta)) {
                    s.put("threshold", theta);
                }
                ArrayNode clocks = s.putArray("dead_clocks");
                for (long v : r.dead().state()) {
                    clocks.add(v);
                }
            }
            AtomicFiles.writeString(tmp.resolve(STATE), Json.toPrettyString(state));
            Directories.deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            Directories.deleteTree(old);
        } catch (IOException e) {
            throw new NanolensException("cannot write the SAE checkpoint in " + runDir + ": " + e.getMessage());
        }
    }

    /** Loads the checkpoint into runs made from the same specs; anything that does not match is refused. */
    static State load(Path runDir, List<SaeRun> runs) {
        Path dir = Files.isRegularFile(runDir.resolve(DIR).resolve(STATE)) ? runDir.resolve(DIR)
                : runDir.resolve(DIR + ".old");
        JsonNode state = Json.readTree(dir.resolve(STATE));
        JsonNode saes = state.path("saes");
        if (!state.path("step").isInt() || !state.path("tokens").canConvertToLong() || !saes.isArray()) {
            throw new NanolensException(dir.resolve(STATE) + " is not an SAE checkpoint (no step, tokens or saes); "
                    + "start a new run without --resume");
        }
        if (saes.size() != runs.size()) {
            throw new NanolensException("the checkpoint in " + dir + " holds " + saes.size() + " SAEs but this run has "
                    + runs.size() + "; resume with the same sweep");
        }
        for (int i = 0; i < runs.size(); i++) {
            SaeRun r = runs.get(i);
            JsonNode s = saes.get(i);
            if (!r.name().equals(s.path("name").asText())
                    || !r.sae().config().equals(savedConfig(s.path("config"), dir))) {
                throw new NanolensException("SAE " + (i + 1) + " of the checkpoint in " + dir + " is '"
                        + s.path("name").asText() + "' " + s.path("config") + ", not '" + r.name()
                        + "'; resume with the same architecture, sizes and options");
            }
            try (SafeTensors file = SafeTensors.open(dir.resolve(r.name() + ".safetensors"))) {
                for (Map.Entry<String, Tensor> p : r.sae().parameters().entrySet()) {
                    copyInto(file, p.getKey(), p.getValue());
                }
                Map<String, Tensor> adam = new LinkedHashMap<>();
                for (String name : r.adam().state().keySet()) {
                    adam.put(name, file.load(ADAM + name));
                }
                r.adam().load(adam, s.path("adam_steps").asLong());
            }
            if (s.has("threshold")) {
                r.sae().setBatchThreshold(s.path("threshold").asDouble());
            }
            JsonNode clocks = s.path("dead_clocks");
            long[] dead = new long[clocks.size()];
            for (int j = 0; j < dead.length; j++) {
                dead[j] = clocks.get(j).asLong();
            }
            r.dead().load(dead);
        }
        return new State(state.path("step").asInt(), state.path("tokens").asLong());
    }

    private static SaeConfig savedConfig(JsonNode node, Path dir) {
        try {
            return Json.convert(node, SaeConfig.class, dir.resolve(STATE).toString());
        } catch (NanolensException e) {
            return null;
        }
    }

    private static void copyInto(SafeTensors file, String name, Tensor into) {
        if (!file.contains(name)) {
            throw new NanolensException(file.file() + " has no tensor '" + name + "'; the checkpoint is damaged");
        }
        Tensor t = file.load(name);
        if (t.size() != into.size()) {
            throw new NanolensException("'" + name + "' in " + file.file() + " holds " + t.size() + " values, the SAE "
                    + "needs " + into.size());
        }
        System.arraycopy(t.data(), 0, into.data(), 0, into.size());
    }
}
