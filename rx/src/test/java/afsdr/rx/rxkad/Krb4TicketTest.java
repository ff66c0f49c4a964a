package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import afsdr.rx.security.RxSecurityException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class Krb4TicketTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] SERVER_KEY = HEX.parseHex("0123456789abcdef"); // odd parity
    static final byte[] OTHER_KEY = HEX.parseHex("fedcba9876543210");
    static final byte[] SESSION = HEX.parseHex("4c23ec1c9d6b3b3e");
    static final long NOW = 1_795_593_000L;

    private static int code(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(RxSecurityException.class, e).code();
    }

    /** PCBC written out on top of DES-ECB, to check the JDK's PCBC is the Kerberos 4 one. */
    private static byte[] pcbcByHand(byte[] key, byte[] plain) throws Exception {
        Cipher ecb = Cipher.getInstance("DES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        byte[] x = key.clone();
        byte[] out = new byte[plain.length];
        for (int i = 0; i < plain.length; i += 8) {
            byte[] in = new byte[8];
            for (int j = 0; j < 8; j++) {
                in[j] = (byte) (plain[i + j] ^ x[j]);
            }
            byte[] c = ecb.doFinal(in);
            System.arraycopy(c, 0, out, i, 8);
            for (int j = 0; j < 8; j++) {
                x[j] = (byte) (plain[i + j] ^ c[j]);
            }
        }
        return out;
    }

    @Test
    void localAuthTicketLayout() throws Exception {
        byte[] sealed = Krb4Ticket.localAuth(SESSION).seal(SERVER_KEY);
        assertEquals(32, sealed.length); // rxkad.md §9: 29 plaintext bytes
        byte[] plain = ByteBuffer.allocate(32).put((byte) 0).put("afs\0\0\0".getBytes(StandardCharsets.US_ASCII))
                .putInt(0).put(SESSION).put((byte) 0xff).putInt(0).put("afs\0\0".getBytes(StandardCharsets.US_ASCII))
                .array();
        assertArrayEquals(pcbcByHand(SERVER_KEY, plain), sealed);

        Krb4Ticket t = Krb4Ticket.open(sealed, SERVER_KEY, NOW);
        assertEquals("afs", t.name());
        assertEquals("", t.instance());
        assertEquals("", t.cell());
        assertArrayEquals(SESSION, t.sessionKey());
        assertEquals(TicketTimes.NEVERDATE, t.end());
        assertEquals("afs", t.serviceName());
    }

    @Test
    void userTicketRoundTripAndLittleEndianFlag() throws Exception {
        Krb4Ticket t = new Krb4Ticket("admin", "root", "EXAMPLE.ORG", 0x7f000001, SESSION, 0x90, NOW - 100, "afs", "example.org");
        Krb4Ticket back = Krb4Ticket.open(t.seal(SERVER_KEY), SERVER_KEY, NOW);
        assertEquals("admin", back.name());
        assertEquals("root", back.instance());
        assertEquals("EXAMPLE.ORG", back.cell());
        assertEquals(0x7f000001, back.host());
        assertEquals(NOW - 100, back.start());
        assertEquals(NOW - 100 + 111922, back.end());
        assertEquals("example.org", back.serviceInstance());

        // the same ticket as a little-endian machine would have minted it
        byte[] plain = Krb4Ticket.desPcbc(SERVER_KEY, t.seal(SERVER_KEY), Cipher.DECRYPT_MODE);
        plain[0] = 1;
        int hostAt = 1 + 6 + 5 + 12;
        reverse(plain, hostAt);
        reverse(plain, hostAt + 4 + 8 + 1);
        Krb4Ticket le = Krb4Ticket.open(Krb4Ticket.desPcbc(SERVER_KEY, plain, Cipher.ENCRYPT_MODE), SERVER_KEY, NOW);
        assertEquals(0x7f000001, le.host());
        assertEquals(NOW - 100, le.start());
    }

    private static void reverse(byte[] b, int at) {
        for (int i = 0; i < 2; i++) {
            byte t = b[at + i];
            b[at + i] = b[at + 3 - i];
            b[at + 3 - i] = t;
        }
    }

    @Test
    void rejections() {
        byte[] good = Krb4Ticket.localAuth(SESSION).seal(SERVER_KEY);
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> Krb4Ticket.open(good, OTHER_KEY, NOW)));
        assertEquals(RxkadErrors.RXKADTICKETLEN, code(() -> Krb4Ticket.open(new byte[24], SERVER_KEY, NOW)));
        assertEquals(RxkadErrors.RXKADTICKETLEN, code(() -> Krb4Ticket.open(new byte[12008], SERVER_KEY, NOW)));
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> Krb4Ticket.open(Arrays.copyOf(good, 36), SERVER_KEY, NOW)));
        // padding beyond the next block boundary is inconsistent (unless the ticket is the legacy 56 bytes)
        byte[] padded = Krb4Ticket.desPcbc(SERVER_KEY,
                Arrays.copyOf(Krb4Ticket.desPcbc(SERVER_KEY, good, Cipher.DECRYPT_MODE), 48), Cipher.ENCRYPT_MODE);
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> Krb4Ticket.open(padded, SERVER_KEY, NOW)));

        Krb4Ticket old = new Krb4Ticket("u", "", "C", 0, SESSION, 12, NOW - 7200, "afs", "");
        assertEquals(RxkadErrors.RXKADEXPIRED, code(() -> Krb4Ticket.open(old.seal(SERVER_KEY), SERVER_KEY, NOW)));
        Krb4Ticket future = new Krb4Ticket("u", "", "C", 0, SESSION, 12, NOW + 7200, "afs", "");
        assertEquals(RxkadErrors.RXKADNOAUTH, code(() -> Krb4Ticket.open(future.seal(SERVER_KEY), SERVER_KEY, NOW)));
        Krb4Ticket ancient = new Krb4Ticket("u", "", "C", 0, SESSION, 12, NOW - 40L * 86400, "afs", "");
        assertEquals(RxkadErrors.RXKADBADTICKET, code(() -> Krb4Ticket.open(ancient.seal(SERVER_KEY), SERVER_KEY, NOW)));
        assertThrows(IllegalArgumentException.class, () -> new Krb4Ticket("", "", "", 0, SESSION, 1, 0, "afs", "").seal(SERVER_KEY));
    }

    @Test
    void lifetimes() {
        assertEquals(TicketTimes.NEVERDATE, TicketTimes.lifeToTime(1000, 0xff));
        assertEquals(1000 + 12 * 300, TicketTimes.lifeToTime(1000, 12));
        assertEquals(1000 + 38400, TicketTimes.lifeToTime(1000, 0x80));
        assertEquals(1000 + 2592000, TicketTimes.lifeToTime(1000, 0xbf));
        assertEquals(1000 + 2592000, TicketTimes.lifeToTime(1000, 0xc5));
        assertEquals(0xff, TicketTimes.timeToLife(5, TicketTimes.NEVERDATE));
        assertEquals(0, TicketTimes.timeToLife(5, 5));
        assertEquals(0, TicketTimes.timeToLife(0, 30L * 86400 + 1));
        assertEquals(2, TicketTimes.timeToLife(0, 301));
        assertEquals(0x80, TicketTimes.timeToLife(0, 38400));
        assertEquals(0x81, TicketTimes.timeToLife(0, 38401));
        assertEquals(0xbf, TicketTimes.timeToLife(0, 30L * 86400));
        for (int life = 0x80; life <= 0xbf; life++) {
            assertEquals(life, TicketTimes.timeToLife(0, TicketTimes.lifeToTime(0, life)), "life " + life);
        }
    }

    @Test
    void checkTimes() {
        assertEquals(TicketTimes.Validity.VALID, TicketTimes.check(0, TicketTimes.NEVERDATE, NOW));
        assertEquals(TicketTimes.Validity.BAD, TicketTimes.check(NOW, NOW, NOW));
        assertEquals(TicketTimes.Validity.BAD, TicketTimes.check(NOW, NOW + 31L * 86400, NOW));
        assertEquals(TicketTimes.Validity.VALID, TicketTimes.check(NOW - 100, NOW - 10, NOW)); // within the skew
        assertEquals(TicketTimes.Validity.EXPIRED, TicketTimes.check(NOW - 2000, NOW - 901, NOW));
        assertEquals(TicketTimes.Validity.NOT_YET_VALID, TicketTimes.check(NOW + 901, NOW + 2000, NOW));
        assertEquals(TicketTimes.Validity.VALID, TicketTimes.check(NOW + 899, NOW + 2000, NOW));
        assertEquals(TicketTimes.Validity.BAD, TicketTimes.check(NOW + 31L * 86400, NOW + 32L * 86400, NOW));
    }
}
