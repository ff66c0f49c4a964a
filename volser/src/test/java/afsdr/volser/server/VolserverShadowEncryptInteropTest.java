package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverShadowInteropTest}'s scenario (shadow lineage marks and guards) in the auth cell,
 * vos with {@code -localauth -encrypt}.
 */
@Interop
@InMode(AuthMode.ENCRYPT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverShadowEncryptInteropTest extends VolserverShadowInteropTest {
}
