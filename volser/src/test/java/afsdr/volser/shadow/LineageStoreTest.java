package afsdr.volser.shadow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.nativeio.JnrPosix;
import afsdr.partition.NameiPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shadow mark's file: round trip, atomic replacement, and every way a damaged file is told apart. */
class LineageStoreTest {
    static final int V = 536870912;
    static final ShadowLineage L = new ShadowLineage(V, V, "127.1.0.2", 1795594061, 1795594073, 1795594100);

    Path dir;
    NameiPartition part;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "lineage-test");
        part = NameiPartition.open(JnrPosix.get(), Files.createDirectories(dir.resolve("vicepa")), "/vicepa");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void writeReadReplaceRemove() throws IOException {
        assertEquals(Optional.empty(), LineageStore.read(part, V));
        LineageStore.write(part, L);
        assertEquals(Optional.of(L), LineageStore.read(part, V));
        Path f = LineageStore.path(part, V);
        assertEquals(".afsdr-shadow-0536870912", f.getFileName().toString());
        String text = Files.readString(f);
        assertTrue(text.startsWith("afsdr shadow lineage 1\nvolume 536870912\nsource-volume 536870912\n"
            + "source-server 127.1.0.2\nsource-created 1795594061\n"), text);
        ShadowLineage next = L.applied(new ShadowLineage.Source(V, 0, 1795600000), "127.1.0.9", 1795600100);
        LineageStore.write(part, next);
        assertEquals(Optional.of(next), LineageStore.read(part, V));
        assertEquals(1795594061, next.sourceCreationDate(), "an unknown creation date keeps the recorded one");
        try (Stream<Path> s = Files.list(part.path())) {
            assertEquals(List.of(f), s.toList(), "no temporary file left behind");
        }
        assertTrue(LineageStore.remove(part, V));
        assertFalse(LineageStore.remove(part, V));
        assertEquals(Optional.empty(), LineageStore.read(part, V));
    }

    @Test
    void unsignedIdsAndDatesRoundTrip() throws IOException {
        ShadowLineage high = new ShadowLineage(-2, -3, "10.0.0.1", -4, 0, -5);
        assertEquals(high, LineageStore.decode(LineageStore.encode(high), "x", -2));
        assertEquals("unknown", LineageStore.date(0));
        assertEquals("2026-11-25T11:21:01Z", LineageStore.date(1795605661));
    }

    String error(byte[] b) {
        return assertThrows(LineageFormatException.class, () -> LineageStore.decode(b, "mark", V)).getMessage();
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] good = LineageStore.encode(L);
        for (int n = 0; n < good.length; n++) {
            String m = error(Arrays.copyOf(good, n));
            assertTrue(m.startsWith("mark: "), m);
        }
        assertTrue(error(Arrays.copyOf(good, good.length - 1)).contains("truncated"));
        assertTrue(error(Arrays.copyOf(good, 40)).contains("truncated"));
    }

    @Test
    void everyBitFlipIsRefused() {
        byte[] good = LineageStore.encode(L);
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                error(b);
            }
        }
        byte[] b = good.clone();
        b[50] = (byte) (b[50] == '1' ? '2' : '1');
        assertTrue(error(b).contains("damaged") || error(b).contains("line"), error(b));
    }

    @Test
    void foreignOversizeAndMisplacedFilesAreRefused() {
        assertTrue(error(new byte[0]).contains("truncated"));
        assertTrue(error("hello\n".getBytes(StandardCharsets.US_ASCII)).contains("not a lineage record"));
        assertTrue(error(new byte[] {0, 1, 2, '\n'}).contains("not a lineage record"));
        byte[] big = new byte[LineageStore.MAX_SIZE + 1];
        Arrays.fill(big, (byte) 'a');
        assertTrue(error(big).contains("more than a lineage record"));
        byte[] other = LineageStore.encode(new ShadowLineage(V + 1, V, "127.1.0.2", 1, 2, 3));
        assertTrue(error(other).contains("lineage record of volume 536870913, not 536870912"));
    }

    @Test
    void aDamagedFileOnDiskIsAClearErrorAndListedAsSuch() throws IOException {
        LineageStore.write(part, L);
        LineageStore.write(part, new ShadowLineage(V + 7, 42, "127.1.0.3", 5, 6, 7));
        Path f = LineageStore.path(part, V);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        IOException e = assertThrows(LineageFormatException.class, () -> LineageStore.read(part, V));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        Files.writeString(part.path().resolve(".afsdr-shadow-0536870919.tmp"), "left by a crash");
        List<LineageStore.Entry> all = LineageStore.list(part);
        assertEquals(2, all.size());
        assertEquals(V, all.get(0).volumeId());
        assertNull(all.get(0).lineage());
        assertTrue(all.get(0).error().contains("truncated"), all.get(0).error());
        assertEquals(42, all.get(1).lineage().sourceVolumeId());
    }

    @Test
    void sameSourceIsGroupAndCreationDate() {
        assertTrue(L.sameSource(new ShadowLineage.Source(V, 1795594061, 1)));
        assertTrue(L.sameSource(new ShadowLineage.Source(V, 0, 1)), "a clone's dump cannot tell the creation date");
        assertFalse(L.sameSource(new ShadowLineage.Source(V, 1795599999, 1)), "re-created source");
        assertFalse(L.sameSource(new ShadowLineage.Source(V + 3, 1795594061, 1)), "other source volume");
        ShadowLineage unknown = new ShadowLineage(V, V, "h", 0, 0, 0);
        assertTrue(unknown.sameSource(new ShadowLineage.Source(V, 1795599999, 1)));
        assertThrows(IllegalArgumentException.class, () -> new ShadowLineage(V, V, "a b", 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShadowLineage(V, V, "", 0, 0, 0));
    }

    @Test
    void encodingIsStable() {
        assertArrayEquals(LineageStore.encode(L), LineageStore.encode(L));
    }
}
