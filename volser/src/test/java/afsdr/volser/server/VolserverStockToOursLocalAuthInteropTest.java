package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverStockToOursInteropTest}'s scenario (stock volserver → ours: shadow variants, copy,
 * move) in the auth cell, vos with {@code -localauth}: the stock volserver's forwarding to our
 * Restore at the rxkad clear level.
 */
@Interop
@InMode(AuthMode.LOCALAUTH)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverStockToOursLocalAuthInteropTest extends VolserverStockToOursInteropTest {
}
