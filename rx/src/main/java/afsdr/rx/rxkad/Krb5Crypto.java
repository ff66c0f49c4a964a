package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Kerberos 5 simplified profile for aes128-cts-hmac-sha1-96 (enctype 17) and
 * aes256-cts-hmac-sha1-96 (18): RFC 3961 §5.1 (n-fold), §5.3 (DK, encrypt/decrypt) with the
 * RFC 3962 parameters. rxkad needs it for Kerberos 5 tickets under KeyFileExt keys (rxkad.md §6.2,
 * §9). The JDK's {@code AES/CTS/NoPadding} is the RFC 3962 ciphertext stealing (checked against
 * RFC 3962 appendix B in the tests).
 */
public final class Krb5Crypto {
    private Krb5Crypto() {}

    /** {@code ENCTYPE_AES128_CTS_HMAC_SHA1_96}. */
    public static final int AES128_CTS_HMAC_SHA1_96 = 17;
    /** {@code ENCTYPE_AES256_CTS_HMAC_SHA1_96}. */
    public static final int AES256_CTS_HMAC_SHA1_96 = 18;
    /** {@code KRB5_KU_TICKET}: key usage of a ticket's enc-part. */
    public static final int KRB5_KU_TICKET = 2;
    private static final int BLOCK = 16;
    private static final int MAC_LENGTH = 12;

    public static boolean supports(int enctype) {
        return enctype == AES128_CTS_HMAC_SHA1_96 || enctype == AES256_CTS_HMAC_SHA1_96;
    }

    private static int keyLength(int enctype) {
        return switch (enctype) {
            case AES128_CTS_HMAC_SHA1_96 -> 16;
            case AES256_CTS_HMAC_SHA1_96 -> 32;
            default -> throw new IllegalArgumentException("enctype " + enctype + " not supported");
        };
    }

    /** RFC 3961 §5.1 n-fold of {@code in} to {@code bits} bits (a multiple of 8). */
    public static byte[] nfold(byte[] in, int bits) {
        int inBits = in.length * 8;
        int outBytes = bits / 8;
        int lcm = lcm(inBits, bits);
        // Copies of the input, each rotated right by 13 bits more than the previous one, laid end
        // to end up to lcm bits, cut into outBytes chunks that are summed in ones' complement.
        java.math.BigInteger modulus = java.math.BigInteger.ONE.shiftLeft(bits);
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        byte[] chunk = new byte[outBytes];
        for (int i = 0; i < lcm / 8; i++) {
            int copy = (i * 8) / inBits;
            int bitInCopy = (i * 8) % inBits;
            int rot = (13 * copy) % inBits;
            int v = 0;
            for (int b = 0; b < 8; b++) {
                int src = Math.floorMod(bitInCopy + b - rot, inBits);
                v = (v << 1) | ((in[src / 8] >> (7 - src % 8)) & 1);
            }
            chunk[i % outBytes] = (byte) v;
            if (i % outBytes == outBytes - 1) {
                sum = sum.add(new java.math.BigInteger(1, chunk));
            }
        }
        while (sum.compareTo(modulus) >= 0) {
            sum = sum.mod(modulus).add(sum.shiftRight(bits)); // end-around carry
        }
        byte[] raw = sum.toByteArray();
        byte[] out = new byte[outBytes];
        int n = Math.min(raw.length, outBytes);
        System.arraycopy(raw, raw.length - n, out, outBytes - n, n);
        return out;
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    private static byte[] aesEcb(byte[] key, byte[] block) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return c.doFinal(block);
    }

    /** RFC 3961 §5.1 DK(base, constant) for AES (random-to-key is the identity). */
    public static byte[] dk(byte[] base, byte[] constant) {
        try {
            byte[] block = constant.length == BLOCK ? constant.clone() : nfold(constant, BLOCK * 8);
            byte[] out = new byte[base.length];
            for (int have = 0; have < out.length; have += BLOCK) {
                block = aesEcb(base, block);
                System.arraycopy(block, 0, out, have, Math.min(BLOCK, out.length - have));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES", e);
        }
    }

    private static byte[] usageKey(byte[] base, int usage, int which) {
        return dk(base, new byte[] {(byte) (usage >>> 24), (byte) (usage >>> 16), (byte) (usage >>> 8), (byte) usage,
            (byte) which});
    }

    /** Encrypts: confounder ‖ plaintext under Ke with AES-CTS, then HMAC-SHA1-96 under Ki. */
    public static byte[] encrypt(int enctype, byte[] key, int usage, byte[] plain, RandomGenerator random) {
        checkKey(enctype, key);
        byte[] p = new byte[BLOCK + plain.length];
        random.nextBytes(p);
        System.arraycopy(plain, 0, p, BLOCK, plain.length);
        try {
            Cipher c = Cipher.getInstance("AES/CTS/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(usageKey(key, usage, 0xaa), "AES"),
                    new IvParameterSpec(new byte[BLOCK]));
            byte[] ct = c.doFinal(p);
            byte[] out = Arrays.copyOf(ct, ct.length + MAC_LENGTH);
            System.arraycopy(hmac(usageKey(key, usage, 0x55), p), 0, out, ct.length, MAC_LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES/CTS or HmacSHA1", e);
        }
    }

    /**
     * Decrypts and verifies; returns the plaintext without the confounder.
     *
     * @throws RxSecurityException RXKADBADTICKET when the data is too short or the checksum fails
     *         (wrong key, wrong kvno, tampering)
     */
    public static byte[] decrypt(int enctype, byte[] key, int usage, byte[] cipher) throws RxSecurityException {
        checkKey(enctype, key);
        if (cipher.length < BLOCK + MAC_LENGTH) {
            throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 ciphertext of " + cipher.length + " bytes");
        }
        try {
            Cipher c = Cipher.getInstance("AES/CTS/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(usageKey(key, usage, 0xaa), "AES"),
                    new IvParameterSpec(new byte[BLOCK]));
            byte[] p = c.doFinal(cipher, 0, cipher.length - MAC_LENGTH);
            byte[] mac = Arrays.copyOf(hmac(usageKey(key, usage, 0x55), p), MAC_LENGTH);
            if (!MessageDigest.isEqual(mac, Arrays.copyOfRange(cipher, cipher.length - MAC_LENGTH, cipher.length))) {
                throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "krb5 checksum mismatch (wrong key?)");
            }
            return Arrays.copyOfRange(p, BLOCK, p.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES/CTS or HmacSHA1", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance("HmacSHA1");
        m.init(new SecretKeySpec(key, "HmacSHA1"));
        return m.doFinal(data);
    }

    private static void checkKey(int enctype, byte[] key) {
        if (key.length != keyLength(enctype)) {
            throw new IllegalArgumentException("enctype " + enctype + " needs a " + keyLength(enctype) + "-byte key, got "
                    + key.length);
        }
    }
}
