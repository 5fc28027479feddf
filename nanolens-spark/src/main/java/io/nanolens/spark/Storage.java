package io.nanolens.spark;

import io.nanolens.NanolensException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Directories on any Hadoop-compatible filesystem (a local directory, HDFS, S3A, ...), where the Spark jobs read
 * models and activations and write shards and SAEs: the driver's Hadoop settings, carried to the executors with
 * every task, and the few operations the jobs need. Files are made locally by the core's writers and then copied,
 * under a temporary name renamed into place, so a reader never sees half a file. Local directories go through
 * Hadoop's raw local filesystem, which writes no {@code .crc} files beside them.
 *
 * @param settings every Hadoop setting of the driver's context
 */
record Storage(Map<String, String> settings) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    Storage {
        settings = Map.copyOf(settings);
    }

    /** The Hadoop settings of {@code context}. */
    static Storage of(JavaSparkContext context) {
        Map<String, String> settings = new HashMap<>();
        context.hadoopConfiguration().forEach(e -> settings.put(e.getKey(), e.getValue()));
        return new Storage(settings);
    }

    /** Whether {@code location} names a directory of this machine's filesystem (no scheme, or file:). */
    static boolean isLocal(String location) {
        String scheme = new org.apache.hadoop.fs.Path(location).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    /** The local path of a {@link #isLocal} location. */
    static Path localPath(String location) {
        return Path.of(new org.apache.hadoop.fs.Path(location).toUri().getPath()).toAbsolutePath().normalize();
    }

    /** {@code location} made absolute with its filesystem's scheme, so every executor reads the same place. */
    String qualified(String location) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
        return fileSystem(path).makeQualified(path).toString();
    }

    /** How a location is shown and recorded: a local one as its absolute path, any other as given. */
    static String display(String location) {
        return isLocal(location) ? localPath(location).toString() : location;
    }

    /** Creates directory {@code dir} with its parents. */
    void makeDirectory(String dir) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
        try {
            fileSystem(path).mkdirs(path);
        } catch (IOException e) {
            throw failure("create the directory", dir, e);
        }
    }

    /** Copies {@code local} to {@code dir/name}, replacing any file of that name. */
    void upload(Path local, String dir, String name) {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir, name);
        org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(dir, "." + name + "." + UUID.randomUUID()
                + ".partial");
        FileSystem fs = fileSystem(target);
        try {
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), partial);
            fs.delete(target, false);
            if (!fs.rename(partial, target)) {
                throw new IOException("rename of " + partial + " failed");
            }
        } catch (IOException e) {
            throw failure("write", target.toString(), e);
        }
    }

    /** Copies every regular file of local directory {@code local} into {@code dir}. */
    void uploadFiles(Path local, String dir) {
        makeDirectory(dir);
        try (Stream<Path> files = Files.list(local)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                upload(file, dir, file.getFileName().toString());
            }
        } catch (IOException e) {
            throw failure("list", local.toString(), e);
        }
    }

    /** Copies {@code dir/name} to local directory {@code local}; false if there is no such file. */
    boolean download(String dir, String name, Path local) {
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(dir, name);
        FileSystem fs = fileSystem(source);
        try {
            if (!fs.isFile(source)) {
                return false;
            }
            fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(local.resolve(name).toUri()), true);
            return true;
        } catch (IOException e) {
            throw failure("read", source.toString(), e);
        }
    }

    /** Copies every regular file of {@code dir} into local directory {@code local}. */
    void downloadFiles(String dir, Path local) {
        for (String name : list(dir)) {
            download(dir, name, local);
        }
    }

    /** The names of the regular files in {@code dir}; none if it does not exist. */
    List<String> list(String dir) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
        FileSystem fs = fileSystem(path);
        List<String> names = new ArrayList<>();
        try {
            if (!fs.exists(path)) {
                return names;
            }
            for (FileStatus status : fs.listStatus(path)) {
                if (status.isFile()) {
                    names.add(status.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw failure("list", dir, e);
        }
        return names;
    }

    /** Deletes {@code dir/name} if it exists. */
    void delete(String dir, String name) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir, name);
        try {
            fileSystem(path).delete(path, false);
        } catch (IOException e) {
            throw failure("delete", path.toString(), e);
        }
    }

    private FileSystem fileSystem(org.apache.hadoop.fs.Path path) {
        Configuration configuration = new Configuration(false);
        settings.forEach(configuration::set);
        try {
            FileSystem fs = path.getFileSystem(configuration);
            return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        } catch (IOException e) {
            throw failure("open the filesystem of", path.toString(), e);
        }
    }

    private static NanolensException failure(String action, String where, IOException e) {
        return new NanolensException("cannot " + action + " " + where + ": " + e.getMessage()
                + "; check the path and that this machine (and every executor) can reach it", e);
    }
}
