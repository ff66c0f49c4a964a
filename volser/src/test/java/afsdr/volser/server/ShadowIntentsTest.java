package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The per-vos-process bookkeeping behind the self-shadow guard, keyed on peer and Rx epoch. */
class ShadowIntentsTest {
    static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40123);
    static final ShadowIntents.Client FIRST = new ShadowIntents.Client(PEER, 0x6a000001);
    static final ShadowIntents.Client REUSER = new ShadowIntents.Client(PEER, 0x6a000002);
    static final int PART = 0;
    static final int VOL = 536870912;

    @Test
    void probesFromAnotherEpochOnTheSamePortAreAnotherProcess() {
        ShadowIntents in = new ShadowIntents();
        in.probed(FIRST, PART, VOL, 1000);
        in.probed(REUSER, PART, VOL, 1001);
        assertFalse(in.probedAsSourceAndTarget(REUSER, PART, VOL, 1002));
        assertFalse(in.probedAsSourceAndTarget(FIRST, PART, VOL, 1002));
        assertEquals(1, in.probes(REUSER, PART, VOL, 1002));
        in.probed(REUSER, PART, VOL, 1003);
        assertTrue(in.probedAsSourceAndTarget(REUSER, PART, VOL, 1004), "same peer and epoch probed twice");
    }

    @Test
    void aTemporaryCloneBelongsToTheEpochThatMadeIt() {
        ShadowIntents in = new ShadowIntents();
        in.cloned(FIRST, PART, VOL, VOL + 5, ShadowIntents.COPY_CLONE_NAME, 1000);
        assertEquals(VOL + 5, in.tempClone(FIRST, PART, VOL, 1001));
        assertEquals(0, in.tempClone(REUSER, PART, VOL, 1001));
    }
}
