package afsdr.volser.server;

import afsdr.realcell.Interop;

/**
 * {@link VolserverBadInputInteropTest}'s scenario (corrupt dumps and malformed requests) in the auth
 * cell, vos with {@code -localauth -encrypt} and our raw Rx client with a localauth ticket at the
 * crypt level, against ours and the stock fs1.
 */
@Interop
@InMode(AuthMode.ENCRYPT)
class VolserverBadInputEncryptInteropTest extends VolserverBadInputInteropTest {
}
