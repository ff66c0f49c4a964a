package afsdr.volser.server;

import afsdr.realcell.Interop;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VolserverDumpInteropTest}'s scenario (dump, restore, shadow both ways, move, copy,
 * addsite+release) in the auth cell, vos with {@code -localauth}: the transfers between the stock
 * volserver and ours at the rxkad clear level; the rest runs in the noauth and -encrypt classes.
 */
@Interop
@InMode(AuthMode.LOCALAUTH)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolserverDumpLocalAuthInteropTest extends VolserverDumpInteropTest {
}
