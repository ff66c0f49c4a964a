package afsdr.rx.netty;

import static org.junit.jupiter.api.Assertions.*;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.security.RxNullSecurity;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RxEndpointSmokeTest {
    /** Echo calls, an empty reply, an application abort and a raw abort, on epoll and on the NIO fallback. */
    @ParameterizedTest(name = "epoll allowed: {0}")
    @ValueSource(booleans = {true, false})
    void echoCallAndAbort(boolean epoll) throws Exception {
        try (RxEndpoint server = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).allowEpoll(epoll).build();
             RxEndpoint client = RxEndpoint.builder().bind(InetAddress.getByName("127.0.0.1"), 0).allowEpoll(epoll).build()) {
            if (!epoll) {
                assertFalse(server.isEpoll());
            }
            server.addService(77, Map.of(0, RxNullSecurity.INSTANCE), call -> {
                DataInputStream in = new DataInputStream(call.input());
                int op = in.readInt();
                if (op == 1) {
                    int n = in.readInt();
                    byte[] b = new byte[n];
                    in.readFully(b);
                    DataOutputStream out = new DataOutputStream(call.output());
                    out.writeInt(n);
                    out.write(b);
                } else if (op == 2) {
                    // no output at all: the framework still ends the reply
                } else {
                    throw new RxCallException(-455, "opcode " + op);
                }
            });
            RxClientConnection conn = client.connect(server.localAddress(), 77, RxNullSecurity.INSTANCE);
            for (int round = 0; round < 20; round++) {
                RxCall c = conn.newCall();
                DataOutputStream out = new DataOutputStream(c.output());
                byte[] payload = new byte[round * 1000 + 3];
                for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 7 + round);
                out.writeInt(1);
                out.writeInt(payload.length);
                out.write(payload);
                DataInputStream in = new DataInputStream(c.input());
                assertEquals(payload.length, in.readInt());
                byte[] back = new byte[payload.length];
                in.readFully(back);
                assertArrayEquals(payload, back);
                assertEquals(-1, in.read());
                conn.endCall(c);
            }
            RxCall c = conn.newCall();
            new DataOutputStream(c.output()).writeInt(2);
            assertEquals(-1, c.input().read());
            conn.endCall(c);

            RxCall bad = conn.newCall();
            new DataOutputStream(bad.output()).writeInt(9);
            RxCallException e = assertThrows(RxCallException.class, () -> bad.input().read());
            assertEquals(-455, e.code());
            RxCallException e2 = assertThrows(RxCallException.class, () -> conn.endCall(bad));
            assertEquals(-455, e2.code());

            // unknown service: raw abort -2
            RxClientConnection none = client.connect(server.localAddress(), 78, RxNullSecurity.INSTANCE);
            RxCall u = none.newCall();
            new DataOutputStream(u.output()).writeInt(1);
            RxCallException e3 = assertThrows(RxCallException.class, () -> none.endCall(u));
            assertEquals(-2, e3.code());
            conn.close();
            none.close();
        }
    }
}
