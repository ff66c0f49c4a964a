package afsdr.volser.server;

import afsdr.realcell.Interop;

/**
 * {@link VolserverOursToOursInteropTest}'s scenario in the auth cell, vos with {@code -localauth
 * -encrypt} and our servers with {@code -s2scrypt inherit}: the Forward between the two of ours
 * is rxkad crypt, every 16 KiB packet encrypted and checked.
 */
@Interop
@InMode(AuthMode.ENCRYPT)
class VolserverOursToOursEncryptInteropTest extends VolserverOursToOursInteropTest {
}
