package io.nanolens.analysis;

/**
 * One forward pass of an analysis: {@code contexts} contexts of {@code time} tokens, consecutive in the corpus token
 * stream, with each token's concept mask, its activation at the hook and (with an SAE) its latents. Shapes:
 * rows = contexts · time, d = the hook's width, m = d_sae. Row r is stream position {@code firstPosition + r}. A
 * token's display window is the run of tokens around it inside its own context and document
 * ({@link #windowStart}, {@link #windowEnd}), at most {@code radius} on each side: the model saw nothing before its
 * context's start, and a BOS token ends a document.
 */
final class Pass {
    final int bos;
    final int radius;
    final int m;
    final int[] ids;          // [capacity] token ids, BOS included
    final int[] masks;        // [capacity] concept bit masks, 0 without concepts
    final int[] windowStart;  // [capacity] first row of each row's window
    final int[] windowEnd;    // [capacity] one past the last row of each row's window
    float[] activations;      // [rows, d] the model's activations at the hook (the inference state's buffer)
    float[] latents;          // [rows, m] SAE latents, null when the passes run without an SAE
    int contexts;
    int time;
    int rows;
    long firstPosition;

    Pass(int capacity, int m, int bos, int radius) {
        this.bos = bos;
        this.radius = radius;
        this.m = m;
        ids = new int[capacity];
        masks = new int[capacity];
        windowStart = new int[capacity];
        windowEnd = new int[capacity];
    }

    /** Whether row r is an analysed token (every token but BOS). */
    boolean analysed(int r) {
        return ids[r] != bos;
    }

    /** Fills the window bounds of every row from the ids, after the pass's shape is set. */
    void computeWindows() {
        for (int c = 0; c < contexts; c++) {
            int from = c * time;
            int to = from + time;
            int docStart = from;
            for (int r = from; r < to; r++) {
                if (ids[r] == bos) {
                    docStart = r + 1;
                }
                windowStart[r] = Math.max(docStart, r - radius);
            }
            int docEnd = to;
            for (int r = to - 1; r >= from; r--) {
                windowEnd[r] = Math.min(docEnd, r + radius + 1);
                if (ids[r] == bos) {
                    docEnd = r;
                }
            }
        }
    }
}
