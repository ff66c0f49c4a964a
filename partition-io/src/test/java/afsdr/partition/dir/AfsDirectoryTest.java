package afsdr.partition.dir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class AfsDirectoryTest {
    @Test
    void newDirectoryLayoutIsMakeDirs() throws Exception {
        byte[] b = AfsDirectory.makeDir(1, 1, 1, 1).toBytes();
        assertEquals(2048, b.length);
        assertEquals(1, AfsDirectory.getShort(b, 0), "pgcount");
        assertEquals(1234, AfsDirectory.getShort(b, 2), "tag");
        assertEquals(51, b[4], "freecount is informational, set once");
        assertEquals((byte) 0xff, b[5]);
        assertEquals((byte) 0x7f, b[6], "entries 13 and 14 taken by . and ..");
        assertEquals(49, b[32], "alloMap[0]");
        assertEquals(64, b[33], "alloMap[1]");
        assertEquals(13, AfsDirectory.getShort(b, 160 + 2 * 46), "'.' hash slot -> blob 13");
        assertEquals(14, AfsDirectory.getShort(b, 160 + 2 * 68), "'..' hash slot -> blob 14");
        assertEquals(1, b[13 * 32], "FFIRST");
        assertEquals('.', b[13 * 32 + 12]);
        assertEquals(0, b[13 * 32 + 13]);
    }

    @Test
    void manyLongNamesSpanMoreThanMaxPagesAndStayFindable() throws Exception {
        AfsDirectory d = AfsDirectory.makeDir(1, 1, 1, 1);
        Map<String, Integer> names = new HashMap<>();
        Random r = new Random(7);
        for (int i = 0; i < 1500; i++) {
            // 180..256-byte names take 6..9 blobs: fewer than 11 per page, so > 128 pages
            StringBuilder sb = new StringBuilder(String.format("%05d-", i));
            int len = 180 + r.nextInt(77);
            while (sb.length() < len) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            names.put(sb.toString(), 2 * i + 2);
            d.create(sb.toString(), 2 * i + 2, i + 7);
        }
        assertTrue(d.pageCount() > AfsDirectory.MAX_PAGES, "pages " + d.pageCount());
        AfsDirectory back = AfsDirectory.parse(d.toBytes(), "t");
        assertEquals(d.pageCount(), AfsDirectory.getShort(back.toBytes(), 0));
        for (Map.Entry<String, Integer> e : names.entrySet()) {
            assertEquals(e.getValue(), back.lookup(e.getKey()).orElseThrow().vnode());
        }
        List<DirEntry> all = back.entries();
        assertEquals(names.size() + 2, all.size());
        assertFalse(back.lookup("nope").isPresent());
    }

    @Test
    void deleteFreesBlobsForReuseAndUnchainsMidChain() throws Exception {
        AfsDirectory d = AfsDirectory.makeDir(1, 1, 1, 1);
        for (int i = 0; i < 400; i++) {
            d.create("n" + i, 2 * i + 2, 1);
        }
        int pages = d.pageCount();
        byte[] before = d.toBytes();
        for (int i = 0; i < 400; i += 2) {
            assertTrue(d.delete("n" + i));
        }
        assertFalse(d.delete("n0"));
        for (int i = 1; i < 400; i += 2) {
            assertEquals(2 * i + 2, d.lookup("n" + i).orElseThrow().vnode(), "n" + i + " after deletes in its chain");
        }
        for (int i = 0; i < 400; i += 2) {
            d.create("n" + i, 2 * i + 2, 1);
        }
        assertEquals(pages, d.pageCount(), "freed blobs are reused before new pages");
        assertEquals(402, d.entries().size());
        // Deleting everything and re-adding in the same order restores the same allocation maps
        for (int i = 0; i < 400; i++) {
            d.delete("n" + i);
        }
        assertTrue(d.isEmpty());
        for (int i = 0; i < 400; i++) {
            d.create("n" + i, 2 * i + 2, 1);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(before, 32, 160), java.util.Arrays.copyOfRange(d.toBytes(), 32, 160));
    }

    @Test
    void nameLimitsAndDuplicates() throws Exception {
        AfsDirectory d = AfsDirectory.makeDir(1, 1, 1, 1);
        String max = "x".repeat(256);
        d.create(max, 2, 2);
        assertEquals(2, d.lookup(max).orElseThrow().vnode());
        assertEquals(9, AfsDirectory.nameBlobs(256));
        assertEquals(1, AfsDirectory.nameBlobs(15));
        assertEquals(2, AfsDirectory.nameBlobs(16));
        assertThrows(IllegalArgumentException.class, () -> d.create("y".repeat(257), 4, 4));
        assertThrows(IllegalArgumentException.class, () -> d.create("", 4, 4));
        assertThrows(IllegalArgumentException.class, () -> d.create("a/b", 4, 4));
        assertThrows(AfsDirectory.DirectoryEntryExistsException.class, () -> d.create(max, 4, 4));
    }

    @Test
    void directoryFillsUpAtBigMaxPages() throws Exception {
        AfsDirectory d = AfsDirectory.makeDir(1, 1, 1, 1);
        String pad = "z".repeat(240); // 9 blobs: 7 per page
        int i = 0;
        try {
            while (true) {
                d.create(String.format("%06d", i) + pad, 2, 2);
                i++;
            }
        } catch (AfsDirectory.DirectoryFullException e) {
            assertEquals(AfsDirectory.BIG_MAX_PAGES, d.pageCount());
        }
        assertTrue(i > 7000, "entries " + i);
    }

    @Test
    void corruptDirectoriesGiveFormatErrors() throws Exception {
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(new byte[100], "t"));
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(new byte[0], "t"));
        byte[] b = AfsDirectory.makeDir(1, 1, 1, 1).toBytes();
        byte[] badTag = b.clone();
        badTag[3] = 0;
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(badTag, "t"));
        byte[] loop = b.clone();
        AfsDirectory.putShort(loop, 13 * 32 + 2, 13); // '.' points at itself
        AfsDirectory l = AfsDirectory.parse(loop, "t");
        String sameChain = null;
        for (int i = 0; sameChain == null; i++) {
            String c = "c" + i;
            if (AfsDirectory.hash(c.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) == 46) {
                sameChain = c;
            }
        }
        String probe = sameChain;
        assertThrows(DirectoryFormatException.class, () -> l.lookup(probe));
        assertThrows(DirectoryFormatException.class, l::entries);
        byte[] outside = b.clone();
        AfsDirectory.putShort(outside, 160 + 2 * 46, 700);
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(outside, "t").entries());
        byte[] unterminated = b.clone();
        AfsDirectory.putShort(unterminated, 160 + 2 * 46, 63);
        java.util.Arrays.fill(unterminated, 63 * 32, 2048, (byte) 'q');
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(unterminated, "t").entries());
        byte[] count = new byte[4096];
        System.arraycopy(b, 0, count, 0, 2048);
        AfsDirectory.putShort(count, 2048 + 2, 1234);
        assertThrows(DirectoryFormatException.class, () -> AfsDirectory.parse(count, "t"), "pgcount 1 but 2 pages");
    }
}
