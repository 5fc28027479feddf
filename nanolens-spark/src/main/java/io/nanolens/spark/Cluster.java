package io.nanolens.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark cluster a command runs on: the master {@code spark-submit} chose (it passes its settings as
 * {@code spark.*} system properties), the one {@code --master} names, or an embedded {@value #EMBEDDED} in this
 * JVM, so the same command works on a laptop with no Spark installed. A local master binds to 127.0.0.1 and runs no
 * web UI: an embedded run opens no port beyond the loopback interface. Executors run each task's kernels on one
 * thread ({@code -Dnanolens.threads=1}, unless set): Spark's task slots are the parallelism, one per core.
 */
final class Cluster {
    /** The master when neither spark-submit nor {@code --master} gives one: every core of this machine. */
    static final String EMBEDDED = "local[*]";
    private static final String LOOPBACK = "127.0.0.1";
    private static final String EXECUTOR_OPTIONS = "spark.executor.extraJavaOptions";

    private Cluster() {
    }

    /** A context named {@code name} on {@code master} (null: spark-submit's, or {@value #EMBEDDED}). */
    static JavaSparkContext open(String name, String master) {
        SparkConf conf = new SparkConf().setAppName(name);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(EMBEDDED);
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.bindAddress", LOOPBACK);
            conf.setIfMissing("spark.driver.host", LOOPBACK);
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        // Spark's debugger of unserializable closures reads a class JDK 25 no longer has; without it the error is
        // the plain NotSerializableException instead of a NoClassDefFoundError.
        conf.setIfMissing("spark.serializer.extraDebugInfo", "false");
        String options = conf.get(EXECUTOR_OPTIONS, "");
        if (!options.contains("-Dnanolens.threads=")) {
            conf.set(EXECUTOR_OPTIONS, (options + " -Dnanolens.threads=1").strip());
        }
        JavaSparkContext context = new JavaSparkContext(conf);
        context.setLogLevel("WARN");
        return context;
    }
}
