package afsdr.vldb;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellServDbTest {
    @Test
    void parsesCellsServersCommentsAndClones() throws IOException {
        CellServDb db = CellServDb.parse("""
                # a comment line
                >test.realcell\t#loopback test cell
                127.1.0.1\t#afs-db

                >Other.Org   # other
                10.0.0.1   #db1.other.org
                [10.0.0.2] #db2.other.org
                >empty.cell
                """);
        assertEquals(List.of("test.realcell", "other.org", "empty.cell"), List.copyOf(db.cells().keySet()));
        CellServDb.Cell c = db.cell("TEST.realcell");
        assertEquals("loopback test cell", c.comment());
        assertEquals(List.of(new InetSocketAddress("127.1.0.1", 7003)), c.vlEndpoints());
        assertEquals("afs-db", c.servers().get(0).hostName());
        CellServDb.Cell o = db.cell("other.org");
        assertEquals("Other.Org", o.name());
        assertEquals(2, o.servers().size());
        assertTrue(o.servers().get(1).nonVoting());
        assertTrue(db.cell("empty.cell").servers().isEmpty());
        assertNull(db.cell("nope"));
    }

    @Test
    void rejectsBadLinesWithTheirLineNumber() {
        IOException e = assertThrows(IOException.class, () -> CellServDb.parse(">c\n1.2.3\n"));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
        assertThrows(IOException.class, () -> CellServDb.parse("1.2.3.4 #x\n"));
        assertThrows(IOException.class, () -> CellServDb.parse(">c\n1.2.3.256\n"));
        assertThrows(IOException.class, () -> CellServDb.parse(">\n"));
    }

    @Test
    void readsThisCell(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("ThisCell");
        Files.writeString(f, "\ntest.realcell\n");
        assertEquals("test.realcell", CellServDb.readThisCell(f));
        Files.writeString(f, "  \n");
        assertThrows(IOException.class, () -> CellServDb.readThisCell(f));
    }
}
