package afsdr.vldb;

import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.rpc.InProcessConnection;
import afsdr.rx.rpc.RpcDispatcher;
import afsdr.rx.rpc.RpcException;
import afsdr.rx.rpc.Rxgen;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Server selection of {@link VlClient} against in-process fake VL servers. */
class VlClientTest {
    static final InetSocketAddress A = new InetSocketAddress("127.1.0.1", 7003);
    static final InetSocketAddress B = new InetSocketAddress("127.1.0.5", 7003);
    static final InetSocketAddress C = new InetSocketAddress("127.1.0.6", 7003);

    /** A fake VL server: answers reads with an entry, writes according to its role. */
    static final class FakeVl {
        final String who;
        boolean sync;
        int failWith;          // non-zero: every call aborts with this code
        final List<String> calls = new ArrayList<>();

        FakeVl(String who, boolean sync) {
            this.who = who;
            this.sync = sync;
        }

        RpcDispatcher dispatcher() {
            return RpcDispatcher.builder(VlOps.VL)
                    .on(VlOps.GetEntryByNameN, (call, name) -> {
                        calls.add("get " + name);
                        check();
                        if (name.equals("missing")) {
                            throw new RxCallException(VlErrors.VL_NOENT, "no entry");
                        }
                        return NvldbEntry.of(name, List.of(), 7, 0, 0, 0, VlConstants.VLF_RWEXISTS);
                    })
                    .on(VlOps.SetLock, (call, a) -> {
                        calls.add("lock " + a.volid());
                        check();
                        if (!sync) {
                            throw new RxCallException(VlErrors.UNOTSYNC, "not sync site");
                        }
                        return null;
                    })
                    .build();
        }

        private void check() throws RxCallException {
            if (failWith != 0) {
                throw new RxCallException(failWith, who + " failing");
            }
        }
    }

    private static VlClient client(Map<InetSocketAddress, FakeVl> servers, List<InetSocketAddress> order,
                                   List<InetSocketAddress> connects) {
        return new VlClient(order, addr -> {
            connects.add(addr);
            FakeVl f = servers.get(addr);
            if (f == null) {
                throw new IOException("no route to " + addr);
            }
            return (RxClientConnection) new InProcessConnection(f.dispatcher(), 52, null);
        });
    }

    @Test
    void applicationErrorsAreFinalAndNotRetriedElsewhere() throws Exception {
        FakeVl a = new FakeVl("a", true);
        FakeVl b = new FakeVl("b", false);
        Map<InetSocketAddress, FakeVl> m = new HashMap<>(Map.of(A, a, B, b));
        try (VlClient c = client(m, List.of(A, B), new ArrayList<>())) {
            assertEquals(7, c.getEntryByNameN("x").rwId());
            RpcException e = assertThrows(RpcException.class, () -> c.getEntryByNameN("missing"));
            assertEquals(VlErrors.VL_NOENT, e.code());
            assertEquals(List.of("get x", "get missing"), a.calls);
            assertEquals(List.of(), b.calls);
        }
    }

    @Test
    void writesMoveOnFromNonSyncServersAndRememberTheSyncSite() throws Exception {
        FakeVl a = new FakeVl("a", false);
        FakeVl b = new FakeVl("b", false);
        FakeVl s = new FakeVl("s", true);
        try (VlClient c = client(Map.of(A, a, B, b, C, s), List.of(A, B, C), new ArrayList<>())) {
            c.setLock(1, -1, VlConstants.VLOP_MOVE);
            assertEquals(List.of("lock 1"), a.calls);
            assertEquals(List.of("lock 1"), b.calls);
            assertEquals(List.of("lock 1"), s.calls);
            c.setLock(2, -1, VlConstants.VLOP_MOVE);
            assertEquals(List.of("lock 1", "lock 2"), s.calls, "second write goes straight to the sync site");
            assertEquals(1, a.calls.size());
            c.getEntryByNameN("r");
            assertEquals("get r", s.calls.get(2), "reads start at the server that last answered");
        }
    }

    @Test
    void rxFailuresMarkAServerDownAndTheNextOneIsTried() throws Exception {
        FakeVl a = new FakeVl("a", true);
        a.failWith = -1; // RX_CALL_DEAD
        FakeVl b = new FakeVl("b", true);
        List<InetSocketAddress> connects = new ArrayList<>();
        try (VlClient c = client(Map.of(A, a, B, b), List.of(A, B), connects)) {
            assertEquals(7, c.getEntryByNameN("x").rwId());
            assertEquals(7, c.getEntryByNameN("y").rwId());
            assertEquals(List.of("get x"), a.calls, "down server skipped while another answers");
            assertEquals(List.of("get x", "get y"), b.calls);
        }
    }

    @Test
    void unreachableServersAreSkipped() throws Exception {
        FakeVl b = new FakeVl("b", true);
        List<InetSocketAddress> connects = new ArrayList<>();
        try (VlClient c = client(Map.of(B, b), List.of(A, B), connects)) {
            assertEquals(7, c.getEntryByNameN("x").rwId());
            assertEquals(7, c.getEntryByNameN("y").rwId());
            assertEquals(List.of(A, B), connects, "A is not asked again once marked down");
        }
        try (VlClient c = client(Map.of(), List.of(A), new ArrayList<>())) {
            assertEquals(-1, assertThrows(RpcException.class, () -> c.getEntryByNameN("x")).code());
        }
    }

    @Test
    void whenEveryServerFailsTheLastCodeIsThrown() throws Exception {
        FakeVl a = new FakeVl("a", false);
        FakeVl b = new FakeVl("b", false);
        try (VlClient c = client(Map.of(A, a, B, b), List.of(A, B), new ArrayList<>())) {
            RpcException e = assertThrows(RpcException.class, () -> c.setLock(1, 0, VlConstants.VLOP_DELETE));
            assertEquals(VlErrors.UNOTSYNC, e.code());
            assertEquals(2, a.calls.size(), "two passes, as ubik_Call makes");
        }
        FakeVl d = new FakeVl("d", true);
        d.failWith = Rxgen.RXGEN_OPCODE;
        try (VlClient c = client(Map.of(A, d), List.of(A), new ArrayList<>())) {
            RpcException e = assertThrows(RpcException.class, () -> c.getEntryByNameN("x"));
            assertEquals(Rxgen.RXGEN_OPCODE, e.code());
        }
    }
}
