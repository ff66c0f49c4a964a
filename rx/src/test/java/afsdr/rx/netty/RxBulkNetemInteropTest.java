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
 * The bulk calls of {@link RxBulkTransferTest}, with the loss and duplication done by the kernel
 * (nftables on the namespace's lo; this kernel has no sch_netem, so no delay or reordering) instead
 * of a channel handler. The kernel's random generator cannot be seeded.
 *
 * <p>UDP segmentation offload is off here: on lo a GSO batch passes netfilter as one packet, so a
 * "lost packet" would be a burst of up to 32 datagrams, not the per-datagram loss this test means.
 */
@Interop
class RxBulkNetemInteropTest {

    @ParameterizedTest(name = "{0} loss={1}% dup={2}%")
    @CsvSource({"upload, 5, 1", "download, 5, 1", "upload, 20, 1", "download, 20, 1"})
    @Timeout(600)
    void bulkCallThroughKernelLoss(String direction, double lossPercent, double dupPercent) throws Exception {
        long size = RxBulkTransferTest.bulkBytes(lossPercent / 100);
        long seed = RxBulkTransferTest.seed();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RxEndpoint server = RxEndpoint.builder().bind(lo, 0).config(RxBulkTransferTest.javaPeerConfig())
                .segmentationOffload(false).build();
             RxEndpoint client = RxEndpoint.builder().bind(lo, 0).config(RxBulkTransferTest.javaPeerConfig())
                .segmentationOffload(false).build();
             Netem netem = Netem.builder().lossPercent(lossPercent).duplicatePercent(dupPercent)
                     .onlyUdpPorts(server.localAddress().getPort()).apply()) {
            server.addService(RxBulkTransferTest.SERVICE, Map.of(0, RxNullSecurity.INSTANCE), RxBulkTransferTest::serve);
            RxClientConnection conn = client.connect(server.localAddress(), RxBulkTransferTest.SERVICE,
                    RxNullSecurity.INSTANCE);
            long t0 = System.nanoTime();
            RxCall call = conn.newCall();
            DataOutputStream out = new DataOutputStream(call.output());
            byte[] buf = new byte[RxBulkTransferTest.CHUNK];
            String context = direction + " " + size + " bytes through kernel loss " + lossPercent + "%";
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
            System.out.printf("%s: %.1f MB/s (%.1f s), kernel dropped %d duplicated %d, resends %d%n", context,
                    size / secs / 1e6, secs, netem.dropped(), netem.duplicated(),
                    server.stats().dataPacketsReSent + client.stats().dataPacketsReSent);
        }
    }
}
