package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/** {@link VolserverVosInteropTest}'s scenario in the auth cell, vos with {@code -localauth}. */
@Interop
@InMode(AuthMode.LOCALAUTH)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverVosLocalAuthInteropTest extends VolserverVosInteropTest {
}
