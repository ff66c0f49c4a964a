package afsdr.rx.interop;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.realcell.Interop;
import afsdr.realcell.Netem;
import afsdr.realcell.RealCell;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our Rx client against stock OpenAFS 1.8 servers of a real cell, and stock vos against our
 * server with packet loss on the wire.
 */
@Interop
class RxClientAgainstStockServersInteropTest {
    static final int VL_SERVICE = 52;
    static final int VOL_SERVICE = 4;
    static final int VL_PROBE = 514;
    static final int XLIST_PARTITIONS = 127;

    static RealCell cell;
    static RxEndpoint endpoint;

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared();
        endpoint = RxEndpoint.builder().bind(cell.address(RealCell.J1), 0).build();
    }

    @AfterAll
    static void down() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void vlProbeAgainstStockVlserver() throws Exception {
        try (RxClientConnection c = endpoint.connect(new InetSocketAddress(cell.address(RealCell.DB), 7003), VL_SERVICE,
                RxNullSecurity.INSTANCE)) {
            c.setDeadTimeSeconds(30);
            for (int i = 0; i < 3; i++) {
                RxCall call = c.newCall();
                new DataOutputStream(call.output()).writeInt(VL_PROBE);
                assertEquals(-1, call.input().read(), "ProbeServer has no OUT parameters");
                c.endCall(call);
            }
            RxCall bad = c.newCall();
            new DataOutputStream(bad.output()).writeInt(31337);
            RxCallException e = assertThrows(RxCallException.class, () -> c.endCall(bad));
            assertEquals(-455, e.code(), "RXGEN_OPCODE from the stock vlserver");
        }
    }

    @Test
    void xListPartitionsAgainstStockVolserver() throws Exception {
        try (RxClientConnection c = endpoint.connect(new InetSocketAddress(cell.address(RealCell.FS1), 7005), VOL_SERVICE,
                RxNullSecurity.INSTANCE)) {
            RxCall call = c.newCall();
            new DataOutputStream(call.output()).writeInt(XLIST_PARTITIONS);
            DataInputStream in = new DataInputStream(call.input());
            int n = in.readInt();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(in.readInt());
            }
            c.endCall(call);
            assertEquals(List.of(0, 1), ids, "fs1 has /vicepa and /vicepb");
        }
    }

    @Test
    void stockVosAgainstOurServerThroughLoss() throws Exception {
        try (RxEndpoint server = RxEndpoint.builder().bind(cell.address(RealCell.J1), 7005).build()) {
            server.addService(VOL_SERVICE, Map.of(0, RxNullSecurity.INSTANCE), call -> {
                DataInputStream in = new DataInputStream(call.input());
                if (in.readInt() != XLIST_PARTITIONS) {
                    throw new RxCallException(-455, "opcode");
                }
                DataOutputStream out = new DataOutputStream(call.output());
                out.writeInt(1);
                out.writeInt(0);
            });
            try (Netem loss = Netem.builder().lossEvery(2).onlyHosts(cell.addressString(RealCell.J1)).onlyUdpPorts(7005)
                    .apply()) {
                for (int i = 0; i < 3; i++) {
                    cell.vos("listpart", cell.addressString(RealCell.J1), "-noauth").orFail();
                }
                assertTrue(loss.dropped() > 0, "the wire really lost packets");
            }
        }
    }
}
