package afsdr.volser.client;

import afsdr.rx.RxCallException;
import afsdr.rx.rpc.InProcessConnection;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.rx.rpc.RpcException;
import afsdr.volser.wire.RestoreCookie;
import afsdr.volser.wire.VolserErrors;
import afsdr.volser.wire.VolserOps;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The VOLSER interface end to end through the RPC layer, with a fake server in process. */
class VolserClientTest {
    @Test
    void fallsBackToListPartitionsAndCarriesDumpAndRestoreStreams() throws Exception {
        byte[] dump = new byte[700_000];
        for (int i = 0; i < dump.length; i++) {
            dump[i] = (byte) (i * 31);
        }
        AtomicReference<byte[]> restored = new AtomicReference<>();
        AtomicReference<RestoreCookie> cookie = new AtomicReference<>();
        int[] pids = new int[26];
        Arrays.fill(pids, -1);
        pids[0] = 0;
        pids[1] = 1;
        // No XListPartitions handler: the dispatcher answers RXGEN_OPCODE as an old server would.
        RpcDispatcher server = RpcDispatcher.builder(VolserOps.AFSVol)
                .on(VolserOps.ListPartitions, (call, a) -> pids)
                .on(VolserOps.Dump, (call, a) -> {
                    if (a.fromTrans() != 5) {
                        throw new RxCallException(VolserErrors.ENOENT, "no such transaction");
                    }
                    call.output().write(dump);
                    return null;
                })
                .on(VolserOps.Restore, (call, a) -> {
                    cookie.set(a.cookie());
                    restored.set(call.input().readAllBytes());
                    return null;
                })
                .build();
        try (VolserClient c = new VolserClient(new InProcessConnection(server, 4, null))) {
            assertArrayEquals(new int[] {0, 1}, c.partitionIds());
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            c.dump(5, 0, sink);
            assertArrayEquals(dump, sink.toByteArray());
            assertEquals(VolserErrors.ENOENT,
                    assertThrows(RpcException.class, () -> c.dump(6, 0, new ByteArrayOutputStream())).code());
            RestoreCookie rc = new RestoreCookie("c.data", 0, 0, 536870912);
            c.restore(7, 1, rc, new ByteArrayInputStream(dump));
            assertEquals(rc, cookie.get());
            assertArrayEquals(dump, restored.get());
        }
    }
}
