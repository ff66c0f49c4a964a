package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Vectors of fcrypt-tables.md §3 (the KTH fc_test.c vectors, re-verified against OpenAFS). */
class FcryptTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] K1 = HEX.parseHex("f0e1d2c3b4a59687");
    static final byte[] K2 = HEX.parseHex("fedcba9876543210");

    @Test
    void roundKeysOfK1() {
        int[] expected = {
            0x1b54a5c3, 0x69c36a94, 0xc70d386d, 0xe1f8e1a7, 0x4a5c3f1c, 0x36a94b87, 0xd386d529, 0x8e1a70da,
            0xc3f1c34e, 0x94b87e38, 0x6d52970f, 0xa70daa52, 0x1c34e1b5, 0x87e3869c, 0x2970fc70, 0xdaa52e1f};
        assertArrayEquals(expected, Fcrypt.keySchedule(K1).roundKeys());
    }

    @Test
    void ecbVectors() {
        ecb(K1, "0000000000000000", "92bf4e19aba44ba3");
        ecb(K1, "0102030405060708", "9b5d74b3f18a989b");
        ecb(K2, "0000000000000000", "74c112238f2c5ce2");
    }

    private static void ecb(byte[] key, String plain, String cipher) {
        Fcrypt ks = Fcrypt.keySchedule(key);
        byte[] out = new byte[8];
        ks.ecb(HEX.parseHex(plain), 0, out, 0, Fcrypt.ENCRYPT);
        assertEquals(cipher, HEX.formatHex(out));
        byte[] back = new byte[8];
        ks.ecb(out, 0, back, 0, Fcrypt.DECRYPT);
        assertEquals(plain, HEX.formatHex(back));
    }

    @Test
    void parityBitsAreIgnored() {
        byte[] flipped = K1.clone();
        for (int i = 0; i < 8; i++) {
            flipped[i] ^= 1;
        }
        assertArrayEquals(Fcrypt.keySchedule(K1).roundKeys(), Fcrypt.keySchedule(flipped).roundKeys());
    }

    @Test
    void pcbcVectors() {
        pcbc(K1, K2, "00f00e1175e62382eeac98624451e484c359d8aa6460aef7d2d9137972a3450323b562d70cf527d1f8913cac442292ef");
        pcbc(K2, K1, "ca90f59dcbd4d23c01887f3e316e629dd8e057a3063a42582a28fe72522fdde01989091c2a8e8c94fcc768e488aade0f");
    }

    private static byte[] fox() {
        return Arrays.copyOf("The quick brown fox jumps over the lazy dogs.".getBytes(StandardCharsets.US_ASCII), 48);
    }

    private static void pcbc(byte[] key, byte[] iv, String cipher) {
        Fcrypt ks = Fcrypt.keySchedule(key);
        long ivl = Fcrypt.bytesToLong(iv, 0);
        byte[] buf = fox();
        Pcbc.crypt(ks, ivl, buf, 0, 48, Fcrypt.ENCRYPT);
        assertEquals(cipher, HEX.formatHex(buf));
        Pcbc.crypt(ks, ivl, buf, 0, 48, Fcrypt.DECRYPT);
        assertArrayEquals(fox(), buf);

        // the same through a ByteBuf at an offset, in two segments chained by the returned value
        ByteBuf bb = Unpooled.buffer(64);
        bb.writeZero(5).writeBytes(fox());
        long x = Pcbc.crypt(ks, ivl, bb, 5, 16, Fcrypt.ENCRYPT);
        Pcbc.crypt(ks, x, bb, 21, 32, Fcrypt.ENCRYPT);
        byte[] got = new byte[48];
        bb.getBytes(5, got);
        assertEquals(cipher, HEX.formatHex(got));
        x = Pcbc.crypt(ks, ivl, bb, 5, 24, Fcrypt.DECRYPT);
        Pcbc.crypt(ks, x, bb, 29, 24, Fcrypt.DECRYPT);
        bb.getBytes(5, got);
        assertArrayEquals(fox(), got);
        bb.release();
    }

    @Test
    void pcbcPropagatesCorruptionToEveryLaterBlock() {
        Fcrypt ks = Fcrypt.keySchedule(K1);
        long iv = Fcrypt.bytesToLong(K1, 0);
        byte[] buf = fox();
        Pcbc.crypt(ks, iv, buf, 0, 48, Fcrypt.ENCRYPT);
        buf[3] ^= 0x40;
        Pcbc.crypt(ks, iv, buf, 0, 48, Fcrypt.DECRYPT);
        byte[] plain = fox();
        for (int block = 0; block < 6; block++) {
            assertFalse(Arrays.equals(plain, block * 8, block * 8 + 8, buf, block * 8, block * 8 + 8),
                    "block " + block + " should be garbled");
        }
    }

    @Test
    void randomRoundTrips() {
        SplittableRandom rnd = new SplittableRandom(0x5eed);
        for (int n = 0; n < 200; n++) {
            Fcrypt ks = Fcrypt.keySchedule(rnd.nextLong());
            long b = rnd.nextLong();
            assertEquals(b, ks.decryptBlock(ks.encryptBlock(b)));
        }
    }

    @Test
    void rejectsBadLengths() {
        assertThrows(IllegalArgumentException.class, () -> Fcrypt.keySchedule(new byte[7]));
        Fcrypt ks = Fcrypt.keySchedule(K1);
        assertThrows(IllegalArgumentException.class, () -> Pcbc.crypt(ks, 0, new byte[16], 0, 12, true));
        assertThrows(IndexOutOfBoundsException.class, () -> Pcbc.crypt(ks, 0, new byte[16], 8, 16, true));
    }
}
