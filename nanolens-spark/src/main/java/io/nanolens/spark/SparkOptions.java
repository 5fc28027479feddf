package io.nanolens.spark;

import io.nanolens.NanolensException;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/**
 * The option every {@code spark} subcommand shares, where it runs ({@code --master}), and how the commands that read
 * a corpus choose how finely to split it.
 */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], spark://HOST:7077, yarn, "
            + "k8s://... (default: spark-submit's, else local[*] in this JVM).")
    String master;

    /** A context on the chosen master. */
    JavaSparkContext open(String name) {
        return Cluster.open(name, master);
    }

    /**
     * The partition count: {@code partitions} as given, or (null) twice the cluster's default parallelism.
     *
     * @throws NanolensException if {@code --partitions} is below 1
     */
    static int partitions(JavaSparkContext context, Integer partitions) {
        if (partitions == null) {
            return Math.max(1, 2 * context.defaultParallelism());
        }
        if (partitions < 1) {
            throw new NanolensException("--partitions is " + partitions + "; split the corpus into at least 1");
        }
        return partitions;
    }
}
