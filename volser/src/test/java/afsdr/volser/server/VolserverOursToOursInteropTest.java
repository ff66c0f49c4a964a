package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Stock vos shadowing between two of our volservers on this host: ours on j1 forwards to a second
 * one of ours on the cell's node j2 (its own address, local folder and partition). The only
 * transfer in which both Rx ends are ours, so the one where packets are sized by the loopback MTU
 * (16 KiB, rx/README.md "Packet size per peer") rather than the 1444 bytes stock peers get: the
 * content must survive that (full shadow, then -incremental after a create, a rewrite and a
 * delete, read back with stock restorevol), and the receiver's Rx counters must show the large
 * packets. The stock->ours and ours->stock scenarios show that stock peers still get 1444.
 */
@Interop
class VolserverOursToOursInteropTest extends OursAndStockInterop {
    static final String SRC = "vt.oo.src";
    static final String SHADOW = "1990000601";
    private static Volserver second;
    private static String j2;

    @BeforeAll
    static void up(TestInfo info) throws Exception {
        begin(info, "VolserLog.ours2ours", "ours2ours", 1_990_000_600);
        j2 = cell.addressString(RealCell.J2);
        List<String> args = new ArrayList<>(List.of("-rxbind", "-log", "-config", cell.serverConfigDir().toString(),
            "-local-dir", cell.localDir(RealCell.J2).toString(),
            "-partition-root", cell.partitionDir(RealCell.J2, "a").getParent().toString(),
            "-logfile", cell.logDir(RealCell.J2).resolve("VolserLog.ours2ours").toString()));
        args.addAll(mode.serverArgs);
        second = Volserver.start(VolserverOptions.parse(args.toArray(String[]::new)));
        fx.vos("restore", j1(), "b", SRC, "-file", fx.fullDump("full.dump").toString()).orFail();
        cleanup.add(new String[] {"remove", "-id", SRC});
    }

    @AfterAll
    static void downSecond() {
        // runs before the superclass's end(), whose cleanup list therefore holds nothing for j2
        vos("zap", "-server", j2, "-partition", "a", "-id", SHADOW);
        if (second != null) {
            second.close();
        }
    }

    private static final Pattern DATA_READ = Pattern.compile("other read counters: data (\\d+)");

    private static long dataPacketsRead(String address) {
        ExecResult r = cell.run(RealCell.CLIENT, "rxdebug", address, "7005", "-rxstats", "-noconns").orFail();
        Matcher m = DATA_READ.matcher(r.stdout());
        assertTrue(m.find(), r.stdout());
        return Long.parseLong(m.group(1));
    }

    private static String[] shadow(String... flags) {
        List<String> a = new ArrayList<>(List.of("shadow", "-id", SRC, "-fromserver", j1(), "-frompartition", "b",
            "-toserver", j2, "-topartition", "a", "-toname", "vt.oo.sh", "-toid", SHADOW));
        a.addAll(List.of(flags));
        return a.toArray(String[]::new);
    }

    @Test
    void shadowFullThenIncrementalBetweenTwoOfOursWithLargePackets() throws Exception {
        long before = dataPacketsRead(j2);
        fx.vos(shadow()).orFail();
        long read = dataPacketsRead(j2) - before;
        fx.assertHoldsCurrent("full shadow ours->ours", SHADOW, j2, "a");
        // stock rxdebug's view of j2's peers: j1 (ours) gets 16 KiB packets, vos (stock, which says
        // ifMTU 1444 on loopback) 1444-byte ones
        String peers = cell.run(RealCell.CLIENT, "rxdebug", j2, "7005", "-peers", "-long").orFail().stdout();
        int seenJ1 = 0;
        int seenStock = 0;
        for (String block : peers.split("Peer at host ")) {
            if (block.startsWith(cell.addressString(RealCell.J1) + ", port 7005")) {
                assertTrue(block.contains("MTU 16384\n"), block);
                seenJ1++;
            } else if (block.startsWith("127.0.0.1,")) {
                assertTrue(block.contains("MTU 1444\n"), block);
                seenStock++;
            }
        }
        assertTrue(seenJ1 > 0 && seenStock > 0, peers);
        // the dump stream is over 1.1 MB (big.bin alone is 1 100 000 bytes): at 1416 bytes of data
        // a packet, at least 780 DATA packets. A new connection starts at 1444 bytes and the writer
        // queues up to 510 packets before the receiver's first ack tells the size (about 240 here),
        // the rest go in 16 KiB packets: at most 545 in all, under four fifths of 780
        long stream = fx.fullDump("size.dump").toFile().length();
        assertTrue(stream > 1_100_000, "stream " + stream);
        assertTrue(read * 1416 < stream * 4 / 5, read + " DATA packets for a " + stream
            + "-byte stream: no large packets");

        Path incr = fx.changeAndDumpIncremental("incr1.dump");
        fx.vos("restore", j1(), "b", SRC, "-file", incr.toString(), "-overwrite", "incremental").orFail();
        fx.vos(shadow("-incremental")).orFail();
        TransferFixture.Content c = fx.assertHoldsCurrent("incremental shadow ours->ours", SHADOW, j2, "a");
        assertTrue(c.files().containsKey("sub/new1.txt") && !c.files().containsKey("small1"), c.files().toString());
        // what j1's Forward connections to j2 used (one log line per connection): rxkad crypt when
        // vos -encrypt asked and -s2scrypt inherit lets it, else rxkad clear with the cell key
        String whole = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.ours2ours"));
        String log = whole.substring(whole.lastIndexOf("Starting afsdr volserver"));
        String used = mode == AuthMode.ENCRYPT ? "with rxkad crypt" : "with rxkad clear";
        assertTrue(log.contains("Forwarding to " + j2 + ":7005 " + used), log);
    }
}
