package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.ExecResult;
import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rpc.RpcOp;
import afsdr.rx.xdr.XdrCodec;
import afsdr.rx.xdr.XdrWriter;
import afsdr.volser.client.VolserClient;
import afsdr.volser.dump.DumpReader;
import afsdr.volser.dump.DumpTestSupport;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolintInfo;
import afsdr.volser.wire.VolserConstants;
import afsdr.volser.wire.VolserOps;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Bad input against our volserver (j1) and, for comparison, the stock volserver of fs1: corrupt
 * dump streams fed by stock {@code vos restore}, and malformed or wrong requests sent raw by our
 * own Rx client. Ours must answer with the code the stock server gives, keep serving, and leave
 * the volume that existed before exactly as it was (the stock server, applying in place, does
 * not; its copies are restored as new volumes here so that it can be compared at all).
 */
@Interop
class VolserverBadInputInteropTest extends OursAndStockInterop {
    static final long SEED = Long.getLong("afsdr.fuzz.seed", 0xbad_d0e5L);
    static final String OURS = "vt.bad.o";
    static final String STOCK = "vt.bad.s";
    /** Ids of the stock volumes made from corrupt streams, one per case. */
    static final int FLIP_BASE = 1_990_000_600;

    static RxEndpoint client;
    static byte[] good;
    static int oursId;
    static int stockId;

    /** The mode is this class's (noauth) or the running subclass's {@link InMode}. */
    @BeforeAll
    static void up(TestInfo info) throws Exception {
        client = null;
        begin(info, "VolserLog.badinput", "badinput", 1_990_000_500);
        Path full = fx.fullDump("good.dump");
        good = Files.readAllBytes(full);
        fx.vos("restore", host(RealCell.J1), "b", OURS, "-file", full.toString()).orFail();
        cleanup.add(new String[] {"remove", "-id", OURS});
        fx.vos("restore", host(RealCell.FS1), "b", STOCK, "-file", full.toString()).orFail();
        cleanup.add(new String[] {"remove", "-id", STOCK});
        oursId = Integer.parseInt(fx.id(OURS));
        stockId = Integer.parseInt(fx.id(STOCK));
        client = RxEndpoint.builder().bind(cell.address(RealCell.CLIENT), 0).build();
    }

    /** Before {@link OursAndStockInterop#end}: our own client is not needed for the clean-up. */
    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    static VolserClient volser(String node) {
        return new VolserClient(client.connect(new InetSocketAddress(cell.address(node), 7005),
            VolserConstants.VOLSERVICE_ID, mode.clientSecurity(cell)));
    }

    /**
     * The volume as our server holds it: its list entry and its full dump. Read through a socket and
     * Rx epoch of its own each time: the shadow guard takes two ListOneVolume calls for one volume
     * from one client (address, port and epoch; within 10 s of each other) followed by a TransCreate
     * (within 60 s) as vos shadowing a volume onto itself, and refuses that TransCreate.
     */
    static String state(VolserClient unused, int id) throws Exception {
        try (RxEndpoint own = RxEndpoint.builder().bind(cell.address(RealCell.CLIENT), 0).build();
             VolserClient c = new VolserClient(own.connect(new InetSocketAddress(cell.address(RealCell.J1), 7005),
                 VolserConstants.VOLSERVICE_ID, mode.clientSecurity(cell)))) {
            return stateVia(c, id);
        }
    }

    private static String stateVia(VolserClient c, int id) throws Exception {
        // The dump before the listing, so that even a client the guard could not tell from the one
        // before (a reused port, before the guard keyed on the Rx epoch too) never lists twice and
        // then opens a transaction.
        int tid = c.transCreate(id, 1, VolserConstants.ITBusy);
        ByteArrayOutputStream dump = new ByteArrayOutputStream();
        try {
            c.dump(tid, 0, dump);
        } finally {
            c.endTrans(tid);
        }
        VolintInfo i = c.listOneVolume(1, id).get(0);
        return i + "\n" + DumpTestSupport.records(dump.toByteArray());
    }

    // ------------------------------------------------------------------ corrupt dump streams

    /**
     * Where the tags of the good stream are: the volume header's, each vnode record's, the end
     * marker's (the reader has consumed a section's tag when it returns).
     */
    static List<Long> recordStarts() throws IOException {
        List<Long> out = new ArrayList<>();
        DumpReader r = new DumpReader(new ByteArrayInputStream(good));
        r.readDumpHeader();
        out.add(r.offset() - 1);
        r.readVolumeHeader();
        out.add(r.offset() - 1);
        while (r.next(DumpReader.SKIP_DATA) != DumpReader.Section.END) {
            out.add(r.offset() - 1);
        }
        return out;
    }

    @Test
    void truncatedAndBitFlippedStreamsAreRefusedAsTheStockServerRefusesThem() throws Exception {
        Random rnd = new Random(SEED);
        List<Long> starts = recordStarts();
        long volumeHeader = starts.get(0);
        long firstVnode = starts.get(1);
        // The longest record holds big.bin's data.
        long bigStart = 0;
        long bigLen = 0;
        for (int i = 1; i + 1 < starts.size(); i++) {
            if (starts.get(i + 1) - starts.get(i) > bigLen) {
                bigStart = starts.get(i);
                bigLen = starts.get(i + 1) - starts.get(i);
            }
        }
        Map<String, byte[]> cases = new LinkedHashMap<>();
        int end = good.length - 5;
        // Cut, then the end marker put back (vos checks it before sending anything).
        for (long cut : new long[] {3 + rnd.nextInt(20), firstVnode + 2 + rnd.nextInt(20),
            bigStart + bigLen / 2 + rnd.nextInt(1000), end - 1 - rnd.nextInt(3)}) {
            byte[] b = Arrays.copyOf(good, (int) cut + 5);
            System.arraycopy(good, end, b, (int) cut, 5);
            cases.put("truncated at " + cut, b);
        }
        // One seeded bit in: the dump header's magic, the volume header's tag, the first vnode
        // record's tag, the volume header's fields, file data; and a whole byte of the end marker.
        // Flips in values and data cannot be detected (the format has no checksum): there the
        // stock server accepts the stream, and so must ours.
        long[][] ranges = {{1, 5}, {volumeHeader, volumeHeader + 1}, {firstVnode, firstVnode + 1},
            {volumeHeader + 1, firstVnode}, {bigStart + 100, bigStart + bigLen - 100}};
        String[] what = {"dump magic", "volume header tag", "vnode tag", "volume header", "file data"};
        for (int k = 0; k < ranges.length; k++) {
            long pos = ranges[k][0] + (long) (rnd.nextDouble() * (ranges[k][1] - ranges[k][0]));
            int bit = rnd.nextInt(8);
            byte[] b = good.clone();
            b[(int) pos] ^= (byte) (1 << bit);
            cases.put("bit " + bit + " flipped at " + pos + " (" + what[k] + ")", b);
        }
        byte[] b = good.clone();
        b[end + 1 + rnd.nextInt(4)] ^= (byte) 0xff;
        cases.put("end magic damaged", b);
        System.out.println("corrupt streams, seed " + SEED + ": " + cases.keySet());

        try (VolserClient c = volser(RealCell.J1)) {
            String before = state(c, oursId);
            int n = 0;
            StringBuilder outcome = new StringBuilder();
            for (Map.Entry<String, byte[]> e : cases.entrySet()) {
                Path f = fx.work.resolve("bad" + n + ".dump");
                Files.write(f, e.getValue());
                String flipId = Integer.toString(FLIP_BASE + n);
                n++;
                long t0 = System.nanoTime();
                ExecResult ro = fx.vos("restore", host(RealCell.J1), "b", OURS, "-file", f.toString(), "-overwrite",
                    "incremental");
                long t1 = System.nanoTime();
                ExecResult rs = fx.vos("restore", host(RealCell.FS1), "b", "vt.flip." + flipId, "-id", flipId,
                    "-file", f.toString());
                if (rs.exitCode() != 0 || !rs.stdout().contains("Restored volume")) {
                    fx.vos("zap", "-server", host(RealCell.FS1), "-partition", "b", "-id", flipId, "-force");
                }
                cleanup.add(new String[] {"remove", "-id", flipId});
                cleanup.add(new String[] {"delentry", "-id", flipId});
                outcome.append(e.getKey()).append(": ours ").append(ro.exitCode()).append(", stock ")
                    .append(rs.exitCode()).append(", ").append((t1 - t0) / 1_000_000).append(" ms ours, ")
                    .append((System.nanoTime() - t1) / 1_000_000).append(" ms stock and after\n");
                assertEquals(rs.exitCode(), ro.exitCode(), e.getKey() + "\nstock: " + rs + "\nours: " + ro);
                if (ro.exitCode() != 0) {
                    // vos reports the server's abort as the stock server's: "Problems encountered in
                    // reading the dump file" (VOLSERREAD_DUMPERROR) once the stream is under way, or
                    // "Could not transmit data" when the server refuses it at its first bytes.
                    assertTrue(ro.stderr().contains("VOLSER") || ro.stderr().contains("Could not transmit"),
                        e.getKey() + ": " + ro);
                    assertEquals(VosOutput.norm(rs.stderr(), VosOutput.RECENT, host(RealCell.FS1), "S", "vt.flip." + flipId, "V"),
                        VosOutput.norm(ro.stderr(), VosOutput.RECENT, host(RealCell.J1), "S", OURS, "V"),
                        e.getKey() + ": the same error as stock");
                    assertEquals(before, state(c, oursId), e.getKey() + ": our volume is as it was");
                } else {
                    // Accepted, as by stock (a flip in data or a value): put the good content back.
                    fx.vos("restore", host(RealCell.J1), "b", OURS, "-file", fx.work.resolve("good.dump").toString(),
                        "-overwrite", "full").orFail();
                    oursId = Integer.parseInt(fx.id(OURS));
                    before = state(c, oursId);
                }
                assertTrue(c.partitionIds().length > 0, "still serving after " + e.getKey());
            }
            System.out.println(outcome);
        }
    }

    /**
     * A stream whose first vnode record names a vnode number (bit 24 set) that no volume with the
     * dump's uniquifiers can have used. The stock server accepts it and writes the record some GiB
     * into a sparse vnode index (not tried here, to keep fs1's partition small); ours refuses it
     * with VOLSERREAD_DUMPERROR before changing anything, and keeps serving.
     */
    @Test
    void aVnodeNumberBeyondTheDumpsUniquifiersIsRefusedByOurs() throws Exception {
        int at = (int) (long) recordStarts().get(1);
        byte[] b = good.clone();
        assertEquals(3, b[at], "a D_VNODE record starts there");
        b[at + 1] ^= 1;
        Path f = fx.work.resolve("far-vnode.dump");
        Files.write(f, b);
        try (VolserClient c = volser(RealCell.J1)) {
            String before = state(c, oursId);
            ExecResult ro = fx.vos("restore", host(RealCell.J1), "b", OURS, "-file", f.toString(), "-overwrite",
                "incremental");
            assertTrue(ro.exitCode() != 0, ro.toString());
            // refused in the stream's first kilobytes: vos is still sending ("Could not transmit data")
            assertTrue(ro.stderr().contains("VOLSER") || ro.stderr().contains("Could not transmit"), ro.toString());
            assertEquals(before, state(c, oursId), "our volume is as it was");
            assertTrue(c.partitionIds().length > 0, "still serving");
        }
        String log = Files.readString(cell.logDir(RealCell.J1).resolve("VolserLog.badinput"));
        assertTrue(log.contains(" refused: ") && log.contains("uniquifiers reach"), "the reason is logged:\n" + log);
    }

    // ------------------------------------------------------------------ malformed and wrong requests

    /** A procedure whose arguments are given as raw XDR bytes. */
    static <R> RpcOp<byte[], R> raw(RpcOp<?, R> op) {
        return RpcOp.of(op.opcode(), op.name(), XdrCodec.of(0, (w, bytes) -> w.writeFixedOpaque(bytes, bytes.length),
            r -> null), op.results());
    }

    interface Words {
        void write(XdrWriter w) throws IOException;
    }

    static byte[] xdr(Words words) throws IOException {
        XdrWriter w = new XdrWriter();
        words.write(w);
        return w.toByteArray();
    }

    /** An XDR string whose length word says {@code len} but carries {@code carried} bytes. */
    static void string(XdrWriter w, int len, int carried) throws IOException {
        w.writeInt(len);
        byte[] b = new byte[(carried + 3) & ~3];
        Arrays.fill(b, 0, carried, (byte) 'x');
        w.writeFixedOpaque(b, b.length);
    }

    static void cookie(XdrWriter w) throws IOException {
        RestoreCookie.CODEC.encode(w, new RestoreCookie("x", 0, 0, 0));
    }

    interface Call {
        Object call(VolserClient c, int existingId) throws Exception;
    }

    static int code(VolserClient c, int existingId, Call call) throws Exception {
        try {
            call.call(c, existingId);
            return 0;
        } catch (RpcException e) {
            return e.code();
        }
    }

    @Test
    void malformedAndWrongRequestsGetTheStockServersCodes() throws Exception {
        final int noTrans = 987_654;
        final int missing = 1_999_999_990;
        Map<String, Call> calls = new LinkedHashMap<>();
        // Counts beyond their bounds (manyDests<NMAXNSERVERS = 13>, string name<32>, partition names).
        calls.put("ForwardMultiple with 14 destinations", (c, id) -> c.call(raw(VolserOps.ForwardMultiple), xdr(w -> {
            w.writeInt(noTrans).writeInt(0).writeInt(14);
            for (int i = 0; i < 14; i++) {
                w.writeInt(1).writeInt(0x7f010003).writeInt(7005).writeInt(0);
            }
            w.writeInt(0);
            cookie(w);
        })));
        calls.put("ForwardMultiple with 2^31-1 destinations", (c, id) -> c.call(raw(VolserOps.ForwardMultiple),
            xdr(w -> w.writeInt(noTrans).writeInt(0).writeInt(Integer.MAX_VALUE).writeInt(0))));
        calls.put("ForwardMultiple with -1 destinations", (c, id) -> c.call(raw(VolserOps.ForwardMultiple),
            xdr(w -> w.writeInt(noTrans).writeInt(0).writeInt(-1).writeInt(0))));
        calls.put("CreateVolume with a 33-byte name", (c, id) -> c.call(raw(VolserOps.CreateVolume), xdr(w -> {
            w.writeInt(1);
            string(w, 33, 33);
            w.writeInt(0).writeInt(missing).writeInt(missing);
        })));
        calls.put("CreateVolume with a name of 2^31-1 bytes", (c, id) -> c.call(raw(VolserOps.CreateVolume),
            xdr(w -> {
                w.writeInt(1);
                string(w, Integer.MAX_VALUE, 8);
            })));
        calls.put("CreateVolume with a 32-byte name", (c, id) -> c.call(VolserOps.CreateVolume,
            new VolserOps.CreateVolumeArgs(1, "y".repeat(32), 0, missing, missing)));
        calls.put("Clone with a 40-byte name", (c, id) -> c.call(raw(VolserOps.Clone), xdr(w -> {
            w.writeInt(noTrans).writeInt(0).writeInt(1);
            string(w, 40, 40);
            w.writeInt(missing);
        })));
        calls.put("PartitionInfo with a name of 2^31-1 bytes", (c, id) -> c.call(raw(VolserOps.PartitionInfo),
            xdr(w -> string(w, Integer.MAX_VALUE, 8))));
        calls.put("PartitionInfo64 with a 5000-byte name", (c, id) -> c.call(raw(VolserOps.PartitionInfo64),
            xdr(w -> string(w, 5000, 5000))));
        calls.put("SetIdsTypes with a 32-byte name", (c, id) -> {
            int t = c.transCreate(id, 1, VolserConstants.ITOffline);
            try {
                return c.call(VolserOps.SetIdsTypes, new VolserOps.SetIdsTypesArgs(t, "z".repeat(32), 0, id, 0, 0));
            } finally {
                c.endTrans(t);
            }
        });
        calls.put("Clone with a 32-byte name", (c, id) -> {
            int t = c.transCreate(id, 1, VolserConstants.ITBusy);
            try {
                return c.call(VolserOps.Clone, new VolserOps.CloneArgs(t, 0, 1, "c".repeat(32), missing));
            } finally {
                c.endTrans(t);
            }
        });
        // Unknown transactions.
        calls.put("GetStatus of an unknown transaction", (c, id) -> c.getStatus(noTrans));
        calls.put("SetFlags of an unknown transaction", (c, id) -> {
            c.setFlags(noTrans, 0);
            return null;
        });
        calls.put("EndTrans of an unknown transaction", (c, id) -> c.endTrans(noTrans));
        calls.put("DeleteVolume of an unknown transaction", (c, id) -> {
            c.deleteVolume(noTrans);
            return null;
        });
        calls.put("Dump of an unknown transaction", (c, id) -> {
            c.dump(noTrans, 0, new ByteArrayOutputStream());
            return null;
        });
        calls.put("Restore onto an unknown transaction", (c, id) -> {
            c.restore(noTrans, 0, new RestoreCookie("x", 0, 0, 0), new ByteArrayInputStream(good));
            return null;
        });
        calls.put("Clone of an unknown transaction", (c, id) -> c.call(VolserOps.Clone,
            new VolserOps.CloneArgs(noTrans, 0, 1, "x.clone", missing)));
        calls.put("ReClone of an unknown transaction", (c, id) -> c.call(VolserOps.ReClone,
            new VolserOps.TransValue(noTrans, missing)));
        calls.put("SetDate of an unknown transaction", (c, id) -> c.call(VolserOps.SetDate,
            new VolserOps.TransValue(noTrans, 0)));
        calls.put("GetFlags of an unknown transaction", (c, id) -> c.call(VolserOps.GetFlags, noTrans));
        calls.put("GetSize of an unknown transaction", (c, id) -> c.call(VolserOps.GetSize,
            new VolserOps.DumpArgs(noTrans, 0)));
        // Wrong volume ids and partitions.
        calls.put("TransCreate on partition 25 (none)", (c, id) -> c.transCreate(id, 25, VolserConstants.ITOffline));
        calls.put("TransCreate on partition -1", (c, id) -> c.transCreate(id, -1, VolserConstants.ITOffline));
        calls.put("TransCreate on partition 300", (c, id) -> c.transCreate(id, 300, VolserConstants.ITOffline));
        calls.put("TransCreate on the wrong partition", (c, id) -> c.transCreate(id, 0, VolserConstants.ITOffline));
        calls.put("TransCreate of volume 0", (c, id) -> c.transCreate(0, 1, VolserConstants.ITOffline));
        calls.put("TransCreate of volume 2^32-1", (c, id) -> c.transCreate(-1, 1, VolserConstants.ITOffline));
        calls.put("CreateVolume on partition 25", (c, id) -> c.call(VolserOps.CreateVolume,
            new VolserOps.CreateVolumeArgs(25, "vt.nowhere", 0, missing, missing)));
        calls.put("ListVolumes of partition 25", (c, id) -> c.listVolumes(25, 1));
        calls.put("XListVolumes of partition 25", (c, id) -> c.xListVolumes(25, 1));
        calls.put("ListOneVolume on the wrong partition", (c, id) -> c.listOneVolume(0, id));
        calls.put("XListOneVolume on partition 25", (c, id) -> c.xListOneVolume(25, id));
        calls.put("PartitionInfo of /vicepzz", (c, id) -> c.partitionInfo("/vicepzz"));
        calls.put("PartitionInfo of a non-partition name", (c, id) -> c.partitionInfo("bogus"));
        calls.put("PartitionInfo64 of the empty name", (c, id) -> c.partitionInfo64(""));
        calls.put("NukeVolume on partition 25", (c, id) -> c.call(VolserOps.NukeVolume,
            new VolserOps.PartVolume(25, missing)));
        calls.put("NukeVolume on partition -1", (c, id) -> c.call(VolserOps.NukeVolume,
            new VolserOps.PartVolume(-1, missing)));
        calls.put("NukeVolume of volume 0", (c, id) -> c.call(VolserOps.NukeVolume,
            new VolserOps.PartVolume(1, 0)));
        calls.put("NukeVolume of a missing volume", (c, id) -> c.call(VolserOps.NukeVolume,
            new VolserOps.PartVolume(1, missing)));

        Map<String, Integer> stockCodes = new LinkedHashMap<>();
        Map<String, Integer> ourCodes = new LinkedHashMap<>();
        try (VolserClient s = volser(RealCell.FS1); VolserClient o = volser(RealCell.J1)) {
            String stockBefore = s.listOneVolume(1, stockId).get(0).toString();
            String oursBefore = state(o, oursId);
            for (Map.Entry<String, Call> e : calls.entrySet()) {
                stockCodes.put(e.getKey(), code(s, stockId, e.getValue()));
                ourCodes.put(e.getKey(), code(o, oursId, e.getValue()));
            }
            System.out.println("bad requests (stock → ours):");
            stockCodes.forEach((k, v) -> System.out.println("  " + k + ": " + v + " → " + ourCodes.get(k)));
            assertEquals(stockCodes.toString().replace(", ", ",\n"), ourCodes.toString().replace(", ", ",\n"));
            for (Map.Entry<String, Integer> e : ourCodes.entrySet()) {
                assertTrue(e.getValue() != 0 || e.getKey().startsWith("PartitionInfo"), e.getKey() + " succeeded");
            }
            // Both keep serving; nothing changed.
            assertTrue(o.partitionIds().length > 0);
            assertEquals(stockBefore, s.listOneVolume(1, stockId).get(0).toString());
            assertEquals(oursBefore, state(o, oursId));
        }
    }
}
