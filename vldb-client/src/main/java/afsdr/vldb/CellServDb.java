package afsdr.vldb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code CellServDB}: for each cell, its database servers.
 *
 * <pre>
 * &gt;test.realcell        #loopback test cell
 * 127.1.0.1            #afs-db
 * [127.1.0.5]          #afs-db2   (brackets: a non-voting ubik clone; clients still use it)
 * </pre>
 *
 * Server lines must hold a dotted IPv4 address; the comment after {@code #} is the host name.
 * Lines starting with {@code #} and blank lines are ignored. A server line before any cell line,
 * or an address that does not parse, is an error naming the line.
 */
public final class CellServDb {
    /** One database server: address, the host name from the comment, and whether it is a non-voting clone ([brackets]). */
    public record Server(Inet4Address address, String hostName, boolean nonVoting) {
        /** The server's VL endpoint, UDP 7003. */
        public InetSocketAddress vlEndpoint() {
            return new InetSocketAddress(address, VlConstants.VL_PORT);
        }
    }

    /** One cell: name, the comment of its {@code >} line, its servers in file order. */
    public record Cell(String name, String comment, List<Server> servers) {
        public Cell {
            servers = List.copyOf(servers);
        }

        /** The VL endpoints of its servers, in file order. */
        public List<InetSocketAddress> vlEndpoints() {
            List<InetSocketAddress> l = new ArrayList<>();
            for (Server s : servers) {
                l.add(s.vlEndpoint());
            }
            return l;
        }
    }

    private final Map<String, Cell> cells;

    private CellServDb(Map<String, Cell> cells) {
        this.cells = Collections.unmodifiableMap(cells);
    }

    /** The cells, keyed by lower-case name, in file order. */
    public Map<String, Cell> cells() {
        return cells;
    }

    /** The cell of this name (case-insensitive), or {@code null}. */
    public Cell cell(String name) {
        return cells.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public static CellServDb read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            return parse(r, file.toString());
        }
    }

    public static CellServDb parse(String text) throws IOException {
        return parse(new StringReader(text), "CellServDB");
    }

    public static CellServDb parse(Reader reader, String source) throws IOException {
        Map<String, Cell> cells = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(reader);
        String cellName = null;
        String cellComment = null;
        List<Server> servers = null;
        int lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int hash = t.indexOf('#');
            String head = (hash < 0 ? t : t.substring(0, hash)).strip();
            String comment = hash < 0 ? "" : t.substring(hash + 1).strip();
            if (head.startsWith(">")) {
                if (cellName != null) {
                    cells.put(cellName.toLowerCase(java.util.Locale.ROOT), new Cell(cellName, cellComment, servers));
                }
                cellName = head.substring(1).strip();
                if (cellName.isEmpty()) {
                    throw new IOException(source + ":" + lineNo + ": cell line without a name");
                }
                cellComment = comment;
                servers = new ArrayList<>();
                continue;
            }
            if (cellName == null) {
                throw new IOException(source + ":" + lineNo + ": server line before any >cell line");
            }
            boolean clone = head.startsWith("[") && head.endsWith("]");
            String addr = clone ? head.substring(1, head.length() - 1).strip() : head;
            servers.add(new Server(Ipv4.parse(addr, source + ":" + lineNo), comment, clone));
        }
        if (cellName != null) {
            cells.put(cellName.toLowerCase(java.util.Locale.ROOT), new Cell(cellName, cellComment, servers));
        }
        return new CellServDb(cells);
    }

    /** The cell name in a {@code ThisCell} file: its first non-blank line, trimmed. */
    public static String readThisCell(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        throw new IOException(file + ": empty ThisCell");
    }
}
