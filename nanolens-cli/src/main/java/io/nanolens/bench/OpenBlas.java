package io.nanolens.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * OpenBLAS's cblas_sgemm reached through the FFM API: the reference our matmul is held against. Uses the
 * library the system already has (Debian's libopenblas0-pthread); installs nothing.
 */
final class OpenBlas {
    static final String INSTALL_HINT = "apt-get install -y libopenblas0-pthread";
    private static final List<String> CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib64/libopenblas.so.0");
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private final MethodHandle sgemm;
    private final String path;

    private OpenBlas(MethodHandle sgemm, MethodHandle setThreads, String path, int threads) throws Throwable {
        this.sgemm = sgemm;
        this.path = path;
        if (setThreads != null) {
            setThreads.invokeExact(threads);
        }
    }

    /** The library if one is installed, with its thread count set; empty otherwise. */
    static Optional<OpenBlas> load(int threads) {
        String override = System.getProperty("nanolens.openblas");
        List<String> paths = override != null ? List.of(override) : CANDIDATES;
        for (String p : paths) {
            if (!Files.isReadable(Path.of(p))) {
                continue;
            }
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(p), Arena.global());
                Linker linker = Linker.nativeLinker();
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                MethodHandle gemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(),
                        FunctionDescriptor.ofVoid(i, i, i, i, i, i, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, i,
                                ValueLayout.ADDRESS, i, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, i));
                MethodHandle threadsHandle = lib.find("openblas_set_num_threads")
                        .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(i))).orElse(null);
                return Optional.of(new OpenBlas(gemm, threadsHandle, p, threads));
            } catch (Throwable e) {
                // An unusable library is no reference: the benchmark reports ours alone and says why.
                System.err.println("nanolens: cannot use " + p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    String path() {
        return path;
    }

    /** C[M,N] = A[M,K]·op(B) on native memory, B stored [K,N] or, if transB, [N,K]. */
    void sgemm(MemorySegment a, MemorySegment b, MemorySegment c, int m, int k, int n, boolean transB) {
        try {
            sgemm.invokeExact(ROW_MAJOR, NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f, a, k, b,
                    transB ? k : n, 0f, c, n);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }
}
