package io.nanolens.sae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeadLatentsTest {

    @Test
    void aLatentIsDeadOnceAWholeWindowPassesWithoutAFiring() {
        DeadLatents dead = new DeadLatents(3, 100);
        dead.record(new int[] {1, 0, 0}, 60);
        assertArrayEquals(new boolean[] {false, false, false}, dead.mask(), "nothing is dead before the window");
        dead.record(new int[] {0, 2, 0}, 40);
        assertArrayEquals(new boolean[] {false, false, true}, dead.mask(), "latent 2 never fired in 100 tokens");
        dead.record(new int[] {0, 0, 0}, 59);
        assertFalse(dead.isDead(0), "latent 0 last fired at token 60; 99 tokens later it is alive");
        dead.record(new int[] {0, 0, 0}, 1);
        assertTrue(dead.isDead(0));
        assertFalse(dead.isDead(1));
        assertEquals(2 / 3.0, dead.deadFraction(), 1e-12);
    }

    @Test
    void reviveGivesAFreshWindowAndStateRoundTrips() {
        DeadLatents dead = new DeadLatents(2, 10);
        dead.record(new int[] {0, 1}, 20);
        assertTrue(dead.isDead(0));
        dead.revive(0);
        assertFalse(dead.isDead(0));
        DeadLatents copy = new DeadLatents(2, 10);
        copy.load(dead.state());
        assertArrayEquals(dead.mask(), copy.mask());
        assertEquals(dead.tokens(), copy.tokens());
    }
}
