package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.DESKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Kerberos 5 tickets as rxkad takes them (rxkad.md §6.2, §6.3, §9; OpenAFS
 * {@code tkt_DecodeTicket5}, {@code rxkad_derive_des_key}, the krb5 branch of
 * {@code GenericAuth}). Only the AES enctypes 17/18 are implemented; DES, DES3 and RC4 service
 * keys are refused with RXKADBADTICKET.
 *
 * @param start starttime if present, else authtime (Unix seconds)
 * @param end endtime (Unix seconds)
 */
public record Krb5Ticket(String name, String instance, String realm, byte[] sessionKey, long start, long end) {

    /** Finds the service key for an enc-part (KeyFileExt type rxkad_krb5, kvno, enctype). */
    @FunctionalInterface
    public interface KeyLookup {
        byte[] key(int kvno, int enctype) throws RxSecurityException;
    }

    private static final DateTimeFormatter KERBEROS_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");
    private static final int TKT_FLG_INVALID_BYTE = 0; // bit 7 of the flags: first data byte, mask 0x01
    /** Flags of a localauth ticket: transited-policy-checked (bit 12). */
    private static final byte[] LOCALAUTH_FLAGS = {0, 0, 0x08, 0, 0};

    /**
     * Opens a ticket.
     *
     * @param wholeTicket true for response kvno 256 (a Ticket), false for 213 (its EncryptedData)
     * @param now current Unix seconds
     * @throws RxSecurityException RXKADBADTICKET (malformed, wrong key, unsupported types),
     *         RXKADUNKNOWNKEY (from the lookup), RXKADNOAUTH (invalid flag), RXKADEXPIRED
     */
    public static Krb5Ticket open(byte[] ticket, boolean wholeTicket, KeyLookup keys, long now)
            throws RxSecurityException {
        Der.Reader r = new Der.Reader(ticket);
        Der.Reader enc;
        if (wholeTicket) {
            Der.Reader t = r.enter(Der.app(1)).enter(Der.SEQUENCE);
            if (t.enter(Der.ctx(0)).integer() != 5) {
                throw Der.bad("tkt-vno is not 5");
            }
            t.skip(); // realm
            t.skip(); // sname: not checked by rxkad either
            enc = t.enter(Der.ctx(3)).enter(Der.SEQUENCE);
        } else {
            enc = r.enter(Der.SEQUENCE);
        }
        int etype = (int) enc.enter(Der.ctx(0)).integer();
        int kvno = enc.next(Der.ctx(1)) ? (int) enc.enter(Der.ctx(1)).integer() : 0;
        byte[] cipher = enc.enter(Der.ctx(2)).bytes(Der.OCTET_STRING);
        if (!Krb5Crypto.supports(etype)) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 ticket enctype " + etype + " not supported");
        }
        byte[] plain = Krb5Crypto.decrypt(etype, keys.key(kvno, etype), Krb5Crypto.KRB5_KU_TICKET, cipher);
        return parseEncTicketPart(plain, now);
    }

    private static Krb5Ticket parseEncTicketPart(byte[] plain, long now) throws RxSecurityException {
        Der.Reader p = new Der.Reader(plain).enter(Der.app(3)).enter(Der.SEQUENCE);
        byte[] flags = p.enter(Der.ctx(0)).bytes(Der.BIT_STRING);
        if (flags.length > 1 + TKT_FLG_INVALID_BYTE && (flags[1 + TKT_FLG_INVALID_BYTE] & 0x01) != 0) {
            throw new RxSecurityException(RxkadErrors.RXKADNOAUTH, "krb5 ticket is flagged invalid");
        }
        Der.Reader key = p.enter(Der.ctx(1)).enter(Der.SEQUENCE);
        int keytype = (int) key.enter(Der.ctx(0)).integer();
        byte[] keyvalue = key.enter(Der.ctx(1)).bytes(Der.OCTET_STRING);
        String realm = string(p.enter(Der.ctx(2)).bytes(Der.GENERAL_STRING));
        Der.Reader cname = p.enter(Der.ctx(3)).enter(Der.SEQUENCE);
        cname.enter(Der.ctx(0)).integer();
        Der.Reader names = cname.enter(Der.ctx(1)).enter(Der.SEQUENCE);
        List<String> parts = new ArrayList<>();
        while (!names.atEnd()) {
            if (parts.size() == 2) {
                throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 client name has more than 2 components");
            }
            parts.add(string(names.bytes(Der.GENERAL_STRING)));
        }
        if (parts.isEmpty() || parts.get(0).contains(".")) {
            // OpenAFS refuses a dotted first component unless told otherwise: "a.b" would alias "a" instance "b"
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 client name " + parts + " not acceptable");
        }
        p.skip(); // transited
        long authtime = time(p.enter(Der.ctx(5)).bytes(Der.GENERALIZED_TIME));
        long start = p.next(Der.ctx(6)) ? time(p.enter(Der.ctx(6)).bytes(Der.GENERALIZED_TIME)) : authtime;
        long end = time(p.enter(Der.ctx(7)).bytes(Der.GENERALIZED_TIME));
        if (now > end) {
            throw new RxSecurityException(RxkadErrors.RXKADEXPIRED, "krb5 ticket of " + parts + " ended at " + end);
        }
        return new Krb5Ticket(parts.get(0), parts.size() > 1 ? parts.get(1) : "", realm, sessionKey(keytype, keyvalue),
                start, end);
    }

    /** rxkad.md §6.2: the DES session key rxkad uses for a ticket's session key. */
    private static byte[] sessionKey(int keytype, byte[] value) throws RxSecurityException {
        boolean des = keytype == 1 || keytype == 2 || keytype == 3;
        if (des && value.length == 8) {
            return value;
        }
        // NULL, malformed DES, the reserved 4, 6, 8..15, and the DES3 family (whose parity
        // compression step is not written yet) are refused
        boolean des3 = keytype == 5 || keytype == 7 || keytype == 16;
        if (des || des3 || keytype == 0 || keytype == 4 || keytype == 6 || (keytype >= 8 && keytype <= 15)) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 session key type " + keytype
                    + " (" + value.length + " bytes) not supported");
        }
        return deriveDesKey(value);
    }

    /**
     * {@code rxkad_derive_des_key} (rxkad.md §6.3): HMAC-MD5 counter KDF to the first non-weak
     * odd-parity DES key.
     */
    public static byte[] deriveDesKey(byte[] key) throws RxSecurityException {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            byte[] label = {'r', 'x', 'k', 'a', 'd', 0};
            byte[] bits = {0, 0, 0, 0x40};
            for (int i = 1; i <= 255; i++) {
                mac.update((byte) i);
                mac.update(label);
                mac.update(bits);
                byte[] k = java.util.Arrays.copyOf(mac.doFinal(), 8);
                for (int j = 0; j < 8; j++) {
                    int b = k[j] & 0xfe;
                    k[j] = (byte) (b | ((Integer.bitCount(b) & 1) ^ 1));
                }
                if (!DESKeySpec.isWeak(k, 0)) {
                    return k;
                }
            }
        } catch (InvalidKeyException e) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 session key unusable: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks HmacMD5", e);
        }
        throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "rxkad-kdf found no DES key");
    }

    /**
     * The ticket {@code -localauth} mints with a KeyFileExt AES key (rxkad.md §9 step 4): the DER
     * EncryptedData to send with response kvno 213.
     */
    public static byte[] mintLocalAuth(int enctype, int kvno, byte[] serviceKey, byte[] sessionKey,
            RandomGenerator random) {
        byte[] zero = time(0);
        byte[] part = Der.tlv(Der.app(3), Der.tlv(Der.SEQUENCE,
                Der.tlv(Der.ctx(0), Der.tlv(Der.BIT_STRING, LOCALAUTH_FLAGS)),
                Der.tlv(Der.ctx(1), Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), Der.integer(1)),
                        Der.tlv(Der.ctx(1), Der.tlv(Der.OCTET_STRING, sessionKey)))),
                Der.tlv(Der.ctx(2), Der.tlv(Der.GENERAL_STRING)),
                Der.tlv(Der.ctx(3), Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), Der.integer(1)),
                        Der.tlv(Der.ctx(1), Der.tlv(Der.SEQUENCE,
                                Der.tlv(Der.GENERAL_STRING, "afs".getBytes(StandardCharsets.US_ASCII)))))),
                Der.tlv(Der.ctx(4), Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), Der.integer(0)),
                        Der.tlv(Der.ctx(1), Der.tlv(Der.OCTET_STRING)))),
                Der.tlv(Der.ctx(5), zero),
                Der.tlv(Der.ctx(7), time(0x7fffffffL))));
        byte[] cipher = Krb5Crypto.encrypt(enctype, serviceKey, Krb5Crypto.KRB5_KU_TICKET, part, random);
        return Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), Der.integer(enctype)), Der.tlv(Der.ctx(1), Der.integer(kvno)),
                Der.tlv(Der.ctx(2), Der.tlv(Der.OCTET_STRING, cipher)));
    }

    private static byte[] time(long unix) {
        String s = LocalDateTime.ofEpochSecond(unix, 0, ZoneOffset.UTC).format(KERBEROS_TIME);
        return Der.tlv(Der.GENERALIZED_TIME, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static long time(byte[] der) throws RxSecurityException {
        try {
            return LocalDateTime.parse(new String(der, StandardCharsets.US_ASCII), KERBEROS_TIME).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw Der.bad("KerberosTime '" + new String(der, StandardCharsets.US_ASCII) + "'");
        }
    }

    private static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
