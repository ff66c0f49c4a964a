package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import afsdr.rx.security.RxSecurityException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class Krb5CryptoTest {
    static final HexFormat HEX = HexFormat.of();

    private static String nfold(String in, int bits) {
        return HEX.formatHex(Krb5Crypto.nfold(in.getBytes(StandardCharsets.US_ASCII), bits));
    }

    @Test
    void nfoldVectorsOfRfc3961() {
        assertEquals("be072631276b1955", nfold("012345", 64));
        assertEquals("78a07b6caf85fa", nfold("password", 56));
        assertEquals("59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e", nfold("password", 168));
        assertEquals("db3b0d8f0b061e603282b308a50841229ad798fab9540c1b",
                nfold("MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192));
        assertEquals("518a54a215a8452a518a54a215a8452a518a54a215", nfold("Q", 168));
        assertEquals("fb25d531ae8974499f52fd92ea9857c4ba24cf297e", nfold("ba", 168));
        assertEquals("6b65726265726f73", nfold("kerberos", 64));
        assertEquals("6b65726265726f737b9b5b2b93132b93", nfold("kerberos", 128));
        assertEquals("8372c236344e5f1550cd0747e15d62ca7a5a3bcea4", nfold("kerberos", 168));
        assertEquals("6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4", nfold("kerberos", 256));
    }

    @Test
    void jdkCtsIsRfc3962() throws Exception {
        byte[] key = "chicken teriyaki".getBytes(StandardCharsets.US_ASCII);
        cts(key, "I would like the ", "c6353568f2bf8cb4d8a580362da7ff7f97");
        cts(key, "I would like the General Gau's C", "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584");
    }

    private static void cts(byte[] key, String plain, String cipher) throws Exception {
        Cipher c = Cipher.getInstance("AES/CTS/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        assertEquals(cipher, HEX.formatHex(c.doFinal(plain.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void roundTripAndTamper() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        for (int enctype : new int[] {17, 18}) {
            byte[] key = new byte[enctype == 17 ? 16 : 32];
            r.nextBytes(key);
            for (int n : new int[] {0, 1, 15, 16, 17, 100}) {
                byte[] plain = new byte[n];
                r.nextBytes(plain);
                byte[] ct = Krb5Crypto.encrypt(enctype, key, 2, plain, r);
                assertEquals(16 + n + 12, ct.length);
                assertArrayEquals(plain, Krb5Crypto.decrypt(enctype, key, 2, ct));
                assertEquals(RxkadErrors.RXKADBADTICKET,
                        assertThrows(RxSecurityException.class, () -> Krb5Crypto.decrypt(enctype, key, 3, ct)).code());
                ct[n / 2] ^= 1;
                assertEquals(RxkadErrors.RXKADBADTICKET,
                        assertThrows(RxSecurityException.class, () -> Krb5Crypto.decrypt(enctype, key, 2, ct)).code());
            }
        }
    }
}
