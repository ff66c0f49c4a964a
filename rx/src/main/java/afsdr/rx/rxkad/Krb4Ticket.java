package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Kerberos 4 style rxkad ticket, sealed with a KeyFile DES key (rxkad.md §6.1; OpenAFS
 * {@code tkt_DecodeTicket}, {@code tkt_MakeTicket}, {@code decode_athena_ticket}). The response
 * kvno 0..255 names the server key.
 * <pre>
 *  | flags(1) | name\0 | instance\0 | cell\0 | host(4) | session key(8) | life(1) | start(4) |
 *  | service name\0 | service instance\0 | zero pad to 8n |
 * </pre>
 * The whole ticket is DES-PCBC encrypted, IV = the server key. Flag bit 0 set means host and
 * start are little-endian (a ticket minted on a little-endian machine by old code).
 *
 * @param start start time (unsigned, 0 for localauth tickets)
 * @param life the life byte (0xFF: never expires)
 */
public record Krb4Ticket(String name, String instance, String cell, int host, byte[] sessionKey, int life,
        long start, String serviceName, String serviceInstance) {

    /** {@code MAXKTCNAMELEN}, {@code MAXKTCREALMLEN}: longest name, instance or cell, NUL excluded. */
    public static final int MAX_COMPONENT = 63;
    /** Ticket length that skips the padding consistency check (a historic fixed size). */
    public static final int LEGACY_TICKET_LENGTH = 56;

    public Krb4Ticket {
        if (sessionKey.length != 8) {
            throw new IllegalArgumentException("session key must be 8 bytes");
        }
        sessionKey = sessionKey.clone();
    }

    @Override
    public byte[] sessionKey() {
        return sessionKey.clone();
    }

    /** {@code life_to_time(start, life)}. */
    public long end() {
        return TicketTimes.lifeToTime(start, life);
    }

    /**
     * The ticket {@code vos -localauth} makes with a KeyFile key (rxkad.md §9 step 5): afs with
     * empty instance and cell, never expiring, start 0.
     */
    public static Krb4Ticket localAuth(byte[] sessionKey) {
        return new Krb4Ticket("afs", "", "", 0, sessionKey, TicketTimes.LIFE_NEVER, 0, "afs", "");
    }

    /** {@code tkt_MakeTicket}: plaintext, zero-padded to 8n, DES-PCBC-sealed with the server key. */
    public byte[] seal(byte[] serverKey) {
        ByteArrayOutputStream p = new ByteArrayOutputStream(64);
        p.write(0); // flags: big-endian host and start
        cstring(p, name, 1, "name");
        cstring(p, instance, 0, "instance");
        cstring(p, cell, 0, "cell");
        int32(p, host);
        p.writeBytes(sessionKey);
        p.write(life);
        int32(p, (int) start);
        cstring(p, serviceName, 1, "service name");
        cstring(p, serviceInstance, 0, "service instance");
        int len = Math.max((p.size() + 7) & ~7, RxkadResponse.MINKTCTICKETLEN);
        byte[] plain = java.util.Arrays.copyOf(p.toByteArray(), len);
        return desPcbc(serverKey, plain, Cipher.ENCRYPT_MODE);
    }

    /**
     * {@code tkt_DecodeTicket} for a KeyFile key, then {@code tkt_CheckTimes} against now.
     *
     * @param now current Unix time, seconds
     * @throws RxSecurityException RXKADTICKETLEN (outside 32..12000), RXKADBADTICKET (not whole
     *         DES blocks, garbage after decryption — usually the wrong key —, or bad times),
     *         RXKADEXPIRED, RXKADNOAUTH (not yet valid)
     */
    public static Krb4Ticket open(byte[] ticket, byte[] serverKey, long now) throws RxSecurityException {
        if (ticket.length < RxkadResponse.MINKTCTICKETLEN || ticket.length > RxkadResponse.MAXKTCTICKETLEN) {
            throw new RxSecurityException(RxkadErrors.RXKADTICKETLEN, "krb4 ticket of " + ticket.length + " bytes");
        }
        if ((ticket.length & 7) != 0) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET,
                    "krb4 ticket of " + ticket.length + " bytes is not whole DES blocks");
        }
        byte[] p = desPcbc(serverKey, ticket, Cipher.DECRYPT_MODE);
        Reader r = new Reader(p);
        int flags = r.u8();
        boolean little = (flags & 1) != 0;
        String name = r.cstring(1, "name");
        String instance = r.cstring(0, "instance");
        String cell = r.cstring(0, "cell");
        int host = r.int32(little);
        byte[] key = r.bytes(8);
        int life = r.u8();
        long start = r.int32(little) & 0xffffffffL;
        String sname = r.cstring(1, "service name");
        String sinst = r.cstring(0, "service instance");
        if (((r.pos + 7) & ~7) != ticket.length && ticket.length != LEGACY_TICKET_LENGTH) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET,
                    "krb4 ticket uses " + r.pos + " of " + ticket.length + " bytes");
        }
        Krb4Ticket t = new Krb4Ticket(name, instance, cell, host, key, life, start, sname, sinst);
        TicketTimes.Validity v = TicketTimes.check(start, t.end(), now);
        if (v != TicketTimes.Validity.VALID) {
            throw new RxSecurityException(v.code(), "krb4 ticket for " + name + (instance.isEmpty() ? "" : "." + instance)
                    + "@" + cell + " start " + start + " end " + t.end() + " at " + now + ": " + v);
        }
        return t;
    }

    static byte[] desPcbc(byte[] key, byte[] data, int mode) {
        if (key.length != 8) {
            throw new IllegalArgumentException("DES key must be 8 bytes");
        }
        try {
            // SunJCE's PCBC is the Kerberos 4 chaining: next IV = plaintext XOR ciphertext
            Cipher c = Cipher.getInstance("DES/PCBC/NoPadding");
            c.init(mode, new SecretKeySpec(key, "DES"), new IvParameterSpec(key));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks DES/PCBC/NoPadding", e);
        }
    }

    private static void cstring(ByteArrayOutputStream out, String s, int min, String what) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length < min || b.length > MAX_COMPONENT || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("krb4 ticket " + what + " '" + s + "' must be " + min + ".."
                    + MAX_COMPONENT + " bytes without NUL");
        }
        out.writeBytes(b);
        out.write(0);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /** Bounds-checked reader over decrypted ticket bytes; any overrun means a bad ticket. */
    private static final class Reader {
        final byte[] p;
        int pos;

        Reader(byte[] p) {
            this.p = p;
        }

        private void need(int n, String what) throws RxSecurityException {
            if (p.length - pos < n) {
                throw new RxSecurityException(RxkadErrors.RXKADBADTICKET,
                        "krb4 ticket ends in " + what + " at byte " + pos + " (wrong key?)");
            }
        }

        int u8() throws RxSecurityException {
            need(1, "a byte field");
            return p[pos++] & 0xff;
        }

        int int32(boolean little) throws RxSecurityException {
            need(4, "a word");
            int v = ((p[pos] & 0xff) << 24) | ((p[pos + 1] & 0xff) << 16) | ((p[pos + 2] & 0xff) << 8) | (p[pos + 3] & 0xff);
            pos += 4;
            return little ? Integer.reverseBytes(v) : v;
        }

        byte[] bytes(int n) throws RxSecurityException {
            need(n, "the session key");
            byte[] b = java.util.Arrays.copyOfRange(p, pos, pos + n);
            pos += n;
            return b;
        }

        String cstring(int min, String what) throws RxSecurityException {
            int limit = Math.min(p.length, pos + MAX_COMPONENT + 1);
            for (int i = pos; i < limit; i++) {
                if (p[i] == 0) {
                    if (i - pos < min) {
                        throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb4 ticket has an empty " + what);
                    }
                    String s = new String(p, pos, i - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return s;
                }
            }
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET,
                    "krb4 ticket " + what + " at byte " + pos + " is unterminated or longer than " + MAX_COMPONENT
                            + " (wrong key?)");
        }
    }
}
