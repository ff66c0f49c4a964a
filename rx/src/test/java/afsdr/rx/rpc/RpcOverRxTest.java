package afsdr.rx.rpc;

import afsdr.rx.RxClientConnection;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The RPC layer over the real Netty Rx transport on 127.0.0.1 (run inside a network namespace,
 * see notes/common.md). Prints the throughput of split calls as a figure; asserts only content.
 */
class RpcOverRxTest {
    @Test
    void ordinaryAndSplitCallsOverRx() throws Exception {
        int size = 32 << 20;
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).build()) {
            RpcDispatcher d = RpcDispatcher.builder(RpcTest.TEST)
                    .on(RpcTest.LOOKUP, (call, a) -> {
                        if (a.volid() == 0) {
                            throw new afsdr.rx.RxCallException(RpcTest.NOT_FOUND, "no entry");
                        }
                        return "vol" + a.volid();
                    })
                    .on(RpcTest.PROBE, (call, a) -> null)
                    .on(RpcTest.UPLOAD, (call, name) -> {
                        CRC32 crc = new CRC32();
                        byte[] buf = new byte[65536];
                        InputStream in = call.input();
                        for (int n; (n = in.read(buf)) >= 0; ) {
                            crc.update(buf, 0, n);
                        }
                        return (int) crc.getValue();
                    })
                    .on(RpcTest.DOWNLOAD, (call, n) -> {
                        OutputStream out = call.output();
                        out.write(pattern(n));
                        return null;
                    })
                    .build();
            server.addService(99, Map.of(0, RxNullSecurity.INSTANCE), d);
            RxClientConnection conn = client.connect(server.localAddress(), 99, RxNullSecurity.INSTANCE);

            assertEquals("vol536870912", RpcClient.call(conn, RpcTest.LOOKUP, new RpcTest.IdType(536870912, -1)));
            RpcClient.call(conn, RpcTest.PROBE, null);
            assertEquals(RpcTest.NOT_FOUND, assertThrows(RpcException.class,
                    () -> RpcClient.call(conn, RpcTest.LOOKUP, new RpcTest.IdType(0, 0))).code());
            assertEquals(Rxgen.RXGEN_OPCODE, assertThrows(RpcException.class,
                    () -> RpcClient.call(conn, RpcTest.UNSERVED, null)).code());

            byte[] data = pattern(size);
            CRC32 expect = new CRC32();
            expect.update(data);
            long t0 = System.nanoTime();
            int crc = RpcClient.callSplit(conn, RpcTest.UPLOAD, "dump", call -> call.output().write(data));
            long t1 = System.nanoTime();
            assertEquals((int) expect.getValue(), crc);

            CRC32 got = new CRC32();
            long[] count = new long[1];
            RpcClient.callSplit(conn, RpcTest.DOWNLOAD, size, call -> {
                byte[] buf = new byte[65536];
                for (int n; (n = call.input().read(buf)) >= 0; ) {
                    got.update(buf, 0, n);
                    count[0] += n;
                }
            });
            long t2 = System.nanoTime();
            assertEquals(size, count[0]);
            assertEquals(expect.getValue(), got.getValue());
            System.out.printf("RpcOverRxTest: split request %d MiB in %.0f ms (%.0f MiB/s), split reply in %.0f ms (%.0f MiB/s)%n",
                    size >> 20, (t1 - t0) / 1e6, (size / 1048576.0) / ((t1 - t0) / 1e9),
                    (t2 - t1) / 1e6, (size / 1048576.0) / ((t2 - t1) / 1e9));
            conn.close();
        }
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }
}
