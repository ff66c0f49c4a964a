package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.proto.RxConfig;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Java-to-Java split calls of {@code afsdr.rx.bulkBytes} bytes (default 1 GiB) each way under
 * seeded loss, duplication and reordering injected on both endpoints' receive paths. The bytes
 * carry a position-dependent pattern, so loss, duplication or reordering of data shows.
 */
class RxBulkTransferTest {
    static final int SERVICE = 4711;
    static final int OP_UPLOAD = 1;
    static final int OP_DOWNLOAD = 2;
    static final int CHUNK = 64 * 1024;

    /** Bytes per call: {@code -Dafsdr.rx.bulkBytes}, else 1 GiB. */
    static long bulkBytes() {
        return Long.getLong("afsdr.rx.bulkBytes", 1L << 30) & ~7L;
    }

    /**
     * Bytes per call at a given loss rate: {@code -Dafsdr.rx.bulkBytes} if set, else 1 GiB, as the
     * issue asks at every loss rate. {@code -Dafsdr.rx.bulkBytesHighLoss} shortens the 20 % cases for
     * quick local runs (1 GiB at 20 % loss takes about 80 s each way on an idle 2-core machine).
     */
    static long bulkBytes(double loss) {
        if (System.getProperty("afsdr.rx.bulkBytes") != null || loss <= 0.05) {
            return bulkBytes();
        }
        return Long.getLong("afsdr.rx.bulkBytesHighLoss", 1L << 30) & ~7L;
    }

    static long seed() {
        Long s = Long.getLong("afsdr.rx.seed");
        return s != null ? s : System.nanoTime();
    }

    static RxConfig javaPeerConfig() {
        // Java peers ack at the end of every read batch, so no 200 ms allowance for delayed acks
        return RxConfig.defaults().withRto(TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.MILLISECONDS.toNanos(5),
                TimeUnit.MILLISECONDS.toNanos(200));
    }

    /** The sender's RTT samples: min/mean/max in microseconds. */
    static String rtt(afsdr.rx.proto.RxStats s) {
        return s.nRttSamples == 0 ? "none" : s.minRttMicros + "/" + s.totalRttMicros / s.nRttSamples + "/" + s.maxRttMicros;
    }

    static void serve(RxCall call) throws Exception {
        DataInputStream in = new DataInputStream(call.input());
        int op = in.readInt();
        long size = in.readLong();
        long seed = in.readLong();
        DataOutputStream out = new DataOutputStream(call.output());
        byte[] buf = new byte[CHUNK];
        if (op == OP_UPLOAD) {
            long pos = 0;
            long bad = -1;
            while (pos < size) {
                int n = (int) Math.min(CHUNK, size - pos);
                in.readFully(buf, 0, n);
                if (bad < 0) {
                    long b = BulkPattern.check(buf, n, pos, seed);
                    bad = b;
                }
                pos += n;
            }
            if (in.read() != -1) {
                throw new RxCallException(-5, "request longer than announced");
            }
            out.writeLong(pos);
            out.writeLong(bad);
        } else if (op == OP_DOWNLOAD) {
            long pos = 0;
            while (pos < size) {
                int n = (int) Math.min(CHUNK, size - pos);
                BulkPattern.fill(buf, n, pos, seed);
                out.write(buf, 0, n);
                pos += n;
            }
        } else {
            throw new RxCallException(-455, "opcode " + op);
        }
    }

    /**
     * Jumbograms on both ends, over the sockets without an injector: datagrams of up to 11 packets
     * (this host), sent in segmentation-offload batches copied from the packets, acked every 24
     * packets. The bytes must arrive intact and the data must travel in jumbograms.
     * {@code -Dafsdr.rx.jumboBulkBytes} (default 128 MiB) per call; {@code -Dafsdr.rx.bulkOnly}
     * matches "upload jumbo" / "download jumbo".
     */
    @ParameterizedTest(name = "{0} with jumbograms")
    @CsvSource({"upload", "download"})
    @Timeout(value = 300)
    void jumbogramCall(String direction) throws Exception {
        String only = System.getProperty("afsdr.rx.bulkOnly");
        org.junit.jupiter.api.Assumptions.assumeTrue(only == null || (direction + " jumbo").matches(only),
                "skipped by -Dafsdr.rx.bulkOnly=" + only);
        long size = Long.getLong("afsdr.rx.jumboBulkBytes", 128L << 20) & ~7L;
        long seed = seed();
        String context = direction + " of " + size + " bytes with jumbograms, seed " + seed;
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).jumbo(true)
                .config(javaPeerConfig()).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).jumbo(true)
                .config(javaPeerConfig()).build()) {
            server.addService(SERVICE, Map.of(0, RxNullSecurity.INSTANCE), RxBulkTransferTest::serve);
            RxClientConnection conn = client.connect(server.localAddress(), SERVICE, RxNullSecurity.INSTANCE);
            long t0 = System.nanoTime();
            try {
                RxCall call = conn.newCall();
                DataOutputStream out = new DataOutputStream(call.output());
                byte[] buf = new byte[CHUNK];
                out.writeInt(direction.equals("upload") ? OP_UPLOAD : OP_DOWNLOAD);
                out.writeLong(size);
                out.writeLong(seed);
                DataInputStream in;
                if (direction.equals("upload")) {
                    for (long pos = 0; pos < size; ) {
                        int n = (int) Math.min(CHUNK, size - pos);
                        BulkPattern.fill(buf, n, pos, seed);
                        out.write(buf, 0, n);
                        pos += n;
                    }
                    in = new DataInputStream(call.input());
                    assertEquals(size, in.readLong(), context);
                    assertEquals(-1L, in.readLong(), "first corrupt byte offset; " + context);
                } else {
                    in = new DataInputStream(call.input());
                    for (long pos = 0; pos < size; pos += CHUNK) {
                        int n = (int) Math.min(CHUNK, size - pos);
                        in.readFully(buf, 0, n);
                        assertEquals(-1L, BulkPattern.check(buf, n, pos, seed), "first corrupt byte offset; " + context);
                    }
                    assertEquals(-1, in.read(), context);
                }
                conn.endCall(call);
            } finally {
                conn.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            afsdr.rx.proto.RxStats sender = direction.equals("upload") ? client.stats() : server.stats();
            afsdr.rx.proto.RxStats receiver = direction.equals("upload") ? server.stats() : client.stats();
            long packets = (long) sender.dataPacketsSent + sender.dataPacketsReSent;
            long datagrams = sender.packetsSent[afsdr.rx.packet.RxConstants.RX_PACKET_TYPE_DATA - 1];
            System.out.printf("%s: %.1f MB/s (%.2f s); %d DATA packets in %d datagrams, %d ACKs, resends %d, RTO events %d%n",
                    context, size / secs / 1e6, secs, packets, datagrams,
                    receiver.packetsSent[afsdr.rx.packet.RxConstants.RX_PACKET_TYPE_ACK - 1], sender.dataPacketsReSent,
                    sender.rtoEvents);
            assertTrue(datagrams < packets / 2, "the data went in jumbograms: " + datagrams + " datagrams for "
                    + packets + " packets; " + context);
        }
    }

    /**
     * One call of {@link #bulkBytes(double)} bytes through seeded loss, duplication and reordering,
     * content checked. {@code packets}: "1444", every packet of the size a stock peer gets; or
     * "interface", both ends sizing packets from the host's interfaces ({@code interfaceMtu}), 16 KiB
     * on this host, where a lost datagram costs eleven times the bytes.
     */
    @ParameterizedTest(name = "{0} loss={1} dup={2} reorder={3} packets={4}")
    @CsvSource(value = {
        "upload,   0.0,  0.0,  0.0,  1444",
        "download, 0.0,  0.0,  0.0,  1444",
        "upload,   0.05, 0.01, 0.02, 1444",
        "download, 0.05, 0.01, 0.02, 1444",
        "upload,   0.20, 0.01, 0.02, 1444",
        "download, 0.20, 0.01, 0.02, 1444",
        "upload,   0.05, 0.01, 0.02, interface",
        "download, 0.05, 0.01, 0.02, interface",
    })
    @Timeout(value = 600)
    void bulkCall(String direction, double loss, double dup, double reorder, String packets) throws Exception {
        String only = System.getProperty("afsdr.rx.bulkOnly");
        org.junit.jupiter.api.Assumptions.assumeTrue(only == null || (direction + " " + loss).matches(only),
                "skipped by -Dafsdr.rx.bulkOnly=" + only);
        long seed = seed();
        long size = bulkBytes(loss);
        LossInjector serverLoss = new LossInjector(seed, loss, dup, reorder);
        LossInjector clientLoss = new LossInjector(seed * 31 + 7, loss, dup, reorder);
        boolean large = packets.equals("interface");
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).interfaceMtu(large)
                .config(javaPeerConfig()).inboundFilter(() -> serverLoss).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).interfaceMtu(large)
                .config(javaPeerConfig()).inboundFilter(() -> clientLoss).build()) {
            server.addService(SERVICE, Map.of(0, RxNullSecurity.INSTANCE), RxBulkTransferTest::serve);
            RxClientConnection conn = client.connect(server.localAddress(), SERVICE, RxNullSecurity.INSTANCE);
            long t0 = System.nanoTime();
            String context = direction + " of " + size + " bytes, loss " + loss + " dup " + dup + " reorder " + reorder
                    + ", packets " + packets + ", seed " + seed + " (rerun with -Dafsdr.rx.seed=" + seed + ")";
            try {
                RxCall call = conn.newCall();
                DataOutputStream out = new DataOutputStream(call.output());
                byte[] buf = new byte[CHUNK];
                if (direction.equals("upload")) {
                    out.writeInt(OP_UPLOAD);
                    out.writeLong(size);
                    out.writeLong(seed);
                    for (long pos = 0; pos < size; ) {
                        int n = (int) Math.min(CHUNK, size - pos);
                        BulkPattern.fill(buf, n, pos, seed);
                        out.write(buf, 0, n);
                        pos += n;
                    }
                    DataInputStream in = new DataInputStream(call.input());
                    assertEquals(size, in.readLong(), context);
                    assertEquals(-1L, in.readLong(), "first corrupt byte offset; " + context);
                } else {
                    out.writeInt(OP_DOWNLOAD);
                    out.writeLong(size);
                    out.writeLong(seed);
                    DataInputStream in = new DataInputStream(call.input());
                    for (long pos = 0; pos < size; ) {
                        int n = (int) Math.min(CHUNK, size - pos);
                        try {
                            in.readFully(buf, 0, n);
                        } catch (EOFException e) {
                            fail("reply ended at " + pos + "; " + context);
                        }
                        long bad = BulkPattern.check(buf, n, pos, seed);
                        assertEquals(-1L, bad, "first corrupt byte offset; " + context);
                        pos += n;
                    }
                    assertEquals(-1, in.read(), context);
                }
                conn.endCall(call);
            } catch (Throwable t) {
                System.out.println("FAILED " + context + "; server " + serverLoss + "; client " + clientLoss);
                throw t;
            } finally {
                conn.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %.1f MB/s (%.2f s); server-side injector %s; client-side injector %s; "
                            + "resends %d/%d, RTO events %d (%d undone as spurious), loss events %d; RTT µs %s%n", context, size / secs / 1e6, secs, serverLoss,
                    clientLoss, server.stats().dataPacketsReSent + client.stats().dataPacketsReSent,
                    server.stats().dataPacketsSent + client.stats().dataPacketsSent,
                    server.stats().rtoEvents + client.stats().rtoEvents,
                    server.stats().spuriousRtos + client.stats().spuriousRtos, server.stats().lossEvents + client.stats().lossEvents,
                    rtt(direction.equals("upload") ? client.stats() : server.stats()));
            long sent = (direction.equals("upload") ? client.stats() : server.stats()).dataPacketsSent;
            if (large) {
                // 16 KiB packets: about 65 600 for 1 GiB, against 758 000 of 1444 bytes
                assertTrue(sent < size / 8000, sent + " DATA packets; " + context);
            } else {
                assertTrue(sent > size / 1444, sent + " DATA packets; " + context);
            }
        }
    }
}
