package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverStockToOursInteropTest}'s scenario (stock volserver → ours: shadow variants, copy,
 * move) in the auth cell, vos with {@code -localauth -encrypt}; the stock volserver's forwarding to
 * our Restore then goes at the rxkad crypt level.
 */
@Interop
@InMode(AuthMode.ENCRYPT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverStockToOursEncryptInteropTest extends VolserverStockToOursInteropTest {
}
