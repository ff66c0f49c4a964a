package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyFileTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void keyFileLayoutAndLookup() throws IOException {
        byte[] file = HEX.parseHex("00000003" + "00000001" + "0123456789abcdef" + "000003e7" + "1111111111111111"
                + "00000004" + "fedcba9876543210");
        KeyFile kf = KeyFile.parse(file);
        assertEquals(3, kf.keys().size());
        assertArrayEquals(HEX.parseHex("fedcba9876543210"), kf.key(4).orElseThrow().key());
        assertTrue(kf.key(2).isEmpty());
        assertEquals(4, kf.latest().orElseThrow().kvno()); // 999 is skipped
        assertArrayEquals(file, kf.encode());
    }

    @Test
    void keyFileHistoricSlotsAndBadCounts() throws IOException {
        // an old fixed-size file: 8 slots, only the first in use
        byte[] fixed = new byte[4 + 8 * 12];
        ByteBuffer.wrap(fixed).putInt(1).putInt(5).put(HEX.parseHex("0101010101010101"));
        assertEquals(List.of(5), KeyFile.parse(fixed).keys().stream().map(KeyFile.Key::kvno).toList());
        assertThrows(IOException.class, () -> KeyFile.parse(new byte[3]));
        assertThrows(IOException.class, () -> KeyFile.parse(HEX.parseHex("ffffffff")));
        assertThrows(IOException.class, () -> KeyFile.parse(Arrays.copyOf(fixed, 15)));
        byte[] huge = fixed.clone();
        ByteBuffer.wrap(huge).putInt(0x7fffffff);
        assertThrows(IOException.class, () -> KeyFile.parse(huge));
    }

    @Test
    void keyFileExtLayoutAndLookup() throws IOException {
        byte[] aes = new byte[32];
        Arrays.fill(aes, (byte) 0x5a);
        // second record has 4 extra meta bytes a future writer might add; they are skipped
        ByteBuffer b = ByteBuffer.allocate(4 + 20 + 32 + 24 + 16);
        b.putInt(2);
        b.putInt(16).putInt(KeyFileExt.AFSCONF_RXKAD_KRB5).putInt(3).putInt(18).putInt(32).put(aes);
        b.putInt(20).putInt(KeyFileExt.AFSCONF_RXKAD_KRB5).putInt(4).putInt(17).putInt(0xdeadbeef).putInt(16)
                .put(Arrays.copyOf(aes, 16));
        KeyFileExt kx = KeyFileExt.parse(b.array());
        assertArrayEquals(aes, kx.key(KeyFileExt.AFSCONF_RXKAD_KRB5, 3, 18).orElseThrow().key());
        assertTrue(kx.key(KeyFileExt.AFSCONF_RXKAD_KRB5, 3, 17).isEmpty());
        assertEquals(17, kx.latest(KeyFileExt.AFSCONF_RXKAD_KRB5).orElseThrow().subType());
        assertEquals(16, kx.keys().get(1).key().length);
        // re-encoding writes 1.8's metaLen of 16
        KeyFileExt again = KeyFileExt.parse(kx.encode());
        assertEquals(2, again.keys().size());
        assertArrayEquals(aes, again.keys().get(0).key());
    }

    @Test
    void keyFileExtRejectsBadRecords() {
        byte[] one = ByteBuffer.allocate(4 + 20 + 16).putInt(1).putInt(16).putInt(2).putInt(1).putInt(17).putInt(16)
                .array();
        for (int cut = 0; cut < one.length; cut += 5) {
            byte[] t = Arrays.copyOf(one, cut);
            assertThrows(IOException.class, () -> KeyFileExt.parse(t), "cut at " + cut);
        }
        byte[] badMeta = one.clone();
        ByteBuffer.wrap(badMeta).putInt(4, 12);
        assertThrows(IOException.class, () -> KeyFileExt.parse(badMeta));
        byte[] hugeMeta = one.clone();
        ByteBuffer.wrap(hugeMeta).putInt(4, Integer.MAX_VALUE);
        assertThrows(IOException.class, () -> KeyFileExt.parse(hugeMeta));
        byte[] hugeKey = one.clone();
        ByteBuffer.wrap(hugeKey).putInt(20, 0x7fffffff);
        assertThrows(IOException.class, () -> KeyFileExt.parse(hugeKey));
        byte[] negKey = one.clone();
        ByteBuffer.wrap(negKey).putInt(20, -4);
        assertThrows(IOException.class, () -> KeyFileExt.parse(negKey));
        byte[] count = one.clone();
        ByteBuffer.wrap(count).putInt(0, 1000);
        assertThrows(IOException.class, () -> KeyFileExt.parse(count));
    }
}
