package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverOursToStockInteropTest}'s scenario (ours → stock volserver: shadow variants, copy,
 * release, move) in the auth cell, vos with {@code -localauth -encrypt}; our Forward to the stock
 * Restore goes at the crypt level ({@code -s2scrypt inherit}).
 */
@Interop
@InMode(AuthMode.ENCRYPT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverOursToStockEncryptInteropTest extends VolserverOursToStockInteropTest {
}
