package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.realcell.Interop;
import afsdr.realcell.Netem;
import afsdr.rx.RxCall;
import afsdr.rx.RxClientConnection;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bulk calls of {@link RxBulkTransferTest}, with loss, duplication and reordering all done by the
 * kernel on the namespace's lo instead of by a channel handler: nftables drops and duplicates, an HTB
 * slow lane holds packets back so that later ones overtake them (see {@link Netem}; this kernel has no
 * sch_netem). The kernel's random generator cannot be seeded, so the decisions are a hash of each
 * packet's Rx transmission fields with the test's seed ({@link Netem.Builder#seed}): for one seed, the
 * same packet gets the same fate, as with {@link RxBulkTransferTest}'s seeded injector; which packets
 * the peers send still depends on timing. The bytes' pattern uses the same seed.
 *
 * <p>An {@link ArrivalOrderProbe} on each endpoint measures how much reordering reached Rx; its figures
 * are printed, not asserted: a few data packets arrive behind a later serial even without the slow
 * lane, so "some" would prove nothing. Measured on the 2-core machine (load average 10-11), 1 GiB
 * calls: without the lane 470 to 1,000 of ~780,000 data packets, at most 36 serials behind; with it
 * ~42,000 of ~810,000, up to 890 to 2,100 behind. What is asserted is the kernel's own count of
 * packets it held back.
 *
 * <p>UDP segmentation offload is off here: on lo a GSO batch passes netfilter and the qdisc as one
 * packet, so a "lost packet" would be a burst of up to 32 datagrams, not the per-datagram loss this test
 * means.
 */
@Interop
class RxBulkNetemInteropTest {
    /**
     * Rate of the slow lane: a held-back 1444-byte packet waits at least 0.12 ms (behind its ballast), and
     * the call cannot go faster than 100 Mbit/s / (2 x 5 %) = 125 MB/s, above what it reaches here without
     * the lane on the 2-core machine.
     */
    private static final long SLOW_LANE_BITS_PER_SECOND = 100_000_000L;

    @ParameterizedTest(name = "{0} loss={1}% dup={2}% reorder={3}%")
    @CsvSource({"upload, 5, 1, 5", "download, 5, 1, 5", "upload, 20, 1, 5", "download, 20, 1, 5"})
    @Timeout(600)
    void bulkCallThroughKernelLossDuplicationAndReordering(String direction, double lossPercent, double dupPercent,
            double reorderPercent) throws Exception {
        long size = RxBulkTransferTest.bulkBytes(lossPercent / 100);
        long seed = RxBulkTransferTest.seed();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        ArrivalOrderProbe serverOrder = new ArrivalOrderProbe();
        ArrivalOrderProbe clientOrder = new ArrivalOrderProbe();
        try (RxEndpoint server = RxEndpoint.builder().bind(lo, 0).config(RxBulkTransferTest.javaPeerConfig())
                .segmentationOffload(false).inboundFilter(() -> serverOrder).build();
             RxEndpoint client = RxEndpoint.builder().bind(lo, 0).config(RxBulkTransferTest.javaPeerConfig())
                .segmentationOffload(false).inboundFilter(() -> clientOrder).build();
             Netem netem = Netem.builder().lossPercent(lossPercent).duplicatePercent(dupPercent)
                     .reorderPercent(reorderPercent).slowLaneRate(SLOW_LANE_BITS_PER_SECOND).seed(seed)
                     .onlyUdpPorts(server.localAddress().getPort()).apply()) {
            server.addService(RxBulkTransferTest.SERVICE, Map.of(0, RxNullSecurity.INSTANCE), RxBulkTransferTest::serve);
            RxClientConnection conn = client.connect(server.localAddress(), RxBulkTransferTest.SERVICE,
                    RxNullSecurity.INSTANCE);
            long t0 = System.nanoTime();
            RxCall call = conn.newCall();
            DataOutputStream out = new DataOutputStream(call.output());
            byte[] buf = new byte[RxBulkTransferTest.CHUNK];
            String context = direction + " " + size + " bytes through kernel loss " + lossPercent + "% dup "
                    + dupPercent + "% reorder " + reorderPercent + "%, seed " + seed + " (rerun with -Dafsdr.rx.seed="
                    + seed + ")";
            if (direction.equals("upload")) {
                out.writeInt(RxBulkTransferTest.OP_UPLOAD);
                out.writeLong(size);
                out.writeLong(seed);
                for (long pos = 0; pos < size; pos += RxBulkTransferTest.CHUNK) {
                    int n = (int) Math.min(RxBulkTransferTest.CHUNK, size - pos);
                    BulkPattern.fill(buf, n, pos, seed);
                    out.write(buf, 0, n);
                }
                DataInputStream in = new DataInputStream(call.input());
                assertEquals(size, in.readLong(), context);
                assertEquals(-1L, in.readLong(), context);
            } else {
                out.writeInt(RxBulkTransferTest.OP_DOWNLOAD);
                out.writeLong(size);
                out.writeLong(seed);
                DataInputStream in = new DataInputStream(call.input());
                for (long pos = 0; pos < size; pos += RxBulkTransferTest.CHUNK) {
                    int n = (int) Math.min(RxBulkTransferTest.CHUNK, size - pos);
                    in.readFully(buf, 0, n);
                    assertEquals(-1L, BulkPattern.check(buf, n, pos, seed), context);
                }
                assertEquals(-1, in.read());
            }
            conn.endCall(call);
            conn.close();
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(netem.dropped() > 0, "kernel dropped packets");
            assertTrue(netem.duplicated() > 0, "kernel duplicated packets");
            assertTrue(netem.reordered() > 0, "kernel held packets back");
            assertEquals(0, netem.slowLaneDrops(), "the slow lane added loss of its own");
            boolean upload = direction.equals("upload");
            ArrivalOrderProbe dataReceiver = upload ? serverOrder : clientOrder;
            System.out.printf("%s: %.1f MB/s (%.1f s), kernel dropped %d duplicated %d held back %d, resends %d,"
                            + " sender's RTT min/mean/max %s us; at the data receiver: %s%n", context,
                    size / secs / 1e6, secs, netem.dropped(), netem.duplicated(), netem.reordered(),
                    server.stats().dataPacketsReSent + client.stats().dataPacketsReSent,
                    RxBulkTransferTest.rtt((upload ? client : server).stats()), dataReceiver);
        }
    }
}
