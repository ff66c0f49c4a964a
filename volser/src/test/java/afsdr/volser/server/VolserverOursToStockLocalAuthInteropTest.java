package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverOursToStockInteropTest}'s scenario (ours → stock volserver: shadow variants, copy,
 * release, move) in the auth cell, vos with {@code -localauth}: our Forward to the stock Restore at
 * the rxkad clear level.
 */
@Interop
@InMode(AuthMode.LOCALAUTH)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverOursToStockLocalAuthInteropTest extends VolserverOursToStockInteropTest {
}
