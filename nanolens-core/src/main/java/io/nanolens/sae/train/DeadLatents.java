package io.nanolens.sae.train;

import io.nanolens.NanolensException;

/**
 * Which latents are dead: a latent is dead when it has not fired in the last {@code window} training tokens (the
 * OpenAI / sparsify / dictionary_learning rule; 10 M tokens there, scaled down for small runs). The trainer feeds
 * each batch's firing counts; the mask feeds AuxK, resampling and the dead fraction in the metrics. A latent that
 * never fired counts from the start of training, so nothing is dead before {@code window} tokens have been seen.
 */
public final class DeadLatents {
    private final long window;
    private final long[] lastFired;   // token count at the end of the last batch in which the latent fired
    private long tokens;

    public DeadLatents(int latents, long window) {
        if (latents < 1 || window < 1) {
            throw new NanolensException("dead-latent tracking needs latents ≥ 1 and a window ≥ 1 token, got "
                    + latents + " and " + window);
        }
        this.window = window;
        this.lastFired = new long[latents];
    }

    /** Records a batch of {@code rows} tokens in which latent i fired {@code counts[i]} times. */
    public void record(int[] counts, int rows) {
        if (counts.length != lastFired.length) {
            throw new NanolensException("firing counts for " + counts.length + " latents, tracker has "
                    + lastFired.length);
        }
        tokens += rows;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                lastFired[i] = tokens;
            }
        }
    }

    /** Tokens recorded so far. */
    public long tokens() {
        return tokens;
    }

    /** Whether latent i is dead now. */
    public boolean isDead(int i) {
        return tokens - lastFired[i] >= window;
    }

    /** The dead mask (a new array). */
    public boolean[] mask() {
        boolean[] dead = new boolean[lastFired.length];
        for (int i = 0; i < dead.length; i++) {
            dead[i] = isDead(i);
        }
        return dead;
    }

    /** Fraction of latents dead now. */
    public double deadFraction() {
        int dead = 0;
        for (int i = 0; i < lastFired.length; i++) {
            if (isDead(i)) {
                dead++;
            }
        }
        return (double) dead / lastFired.length;
    }

    /** Marks latent i as just fired (after it was resampled, it gets a fresh window). */
    public void revive(int i) {
        lastFired[i] = tokens;
    }

    /** The state a checkpoint keeps: the token count first, then each latent's last firing. */
    public long[] state() {
        long[] s = new long[lastFired.length + 1];
        s[0] = tokens;
        System.arraycopy(lastFired, 0, s, 1, lastFired.length);
        return s;
    }

    /** Restores {@link #state()}. */
    public void load(long[] state) {
        if (state.length != lastFired.length + 1) {
            throw new NanolensException("dead-latent state holds " + (state.length - 1) + " latents, expected "
                    + lastFired.length);
        }
        tokens = state[0];
        System.arraycopy(state, 1, lastFired, 0, lastFired.length);
    }
}
