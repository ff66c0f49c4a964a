package afsdr.rx.netty;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxConnection;
import java.io.IOException;
import java.net.InetSocketAddress;

/** {@link RxClientConnection} on an {@link RxEndpoint}. */
final class NettyClientConnection implements RxClientConnection {
    private final RxEndpoint endpoint;
    private final RxConnection conn;
    /** Callers of newCall wait here for a free channel; never held together with other locks. */
    private final Object channelFree = new Object();
    private volatile boolean closed;

    NettyClientConnection(RxEndpoint endpoint, RxConnection conn) {
        this.endpoint = endpoint;
        this.conn = conn;
    }

    RxConnection state() {
        return conn;
    }

    void channelFreed() {
        synchronized (channelFree) {
            channelFree.notifyAll();
        }
    }

    @Override
    public RxCall newCall() throws RxCallException, InterruptedException {
        while (true) {
            if (closed) {
                throw new RxCallException(RxConstants.RX_CALL_DEAD, "connection closed: " + conn);
            }
            if (conn.error() != 0) {
                throw new RxCallException(conn.error(), "connection aborted: " + conn);
            }
            RxCallState st = conn.newClientCall(System.nanoTime());
            if (st != null) {
                return NettyRxCall.attach(endpoint, st);
            }
            synchronized (channelFree) {
                // bounded wait: a wake-up between the check above and this wait is not lost for long
                channelFree.wait(20);
            }
        }
    }

    @Override
    public void endCall(RxCall call) throws RxCallException, InterruptedException {
        NettyRxCall c = (NettyRxCall) call;
        RxCallState st = c.st;
        try {
            c.finishRequest();
            c.drain();
        } catch (RxCallException e) {
            channelFreed();
            throw e;
        } catch (java.io.InterruptedIOException e) {
            c.abort(RxConstants.RX_CALL_DEAD);
            throw new InterruptedException(e.getMessage());
        } catch (IOException e) {
            c.abort(RxConstants.RX_PROTOCOL_ERROR);
            throw new RxCallException(RxConstants.RX_PROTOCOL_ERROR, "ending " + st, e);
        }
        synchronized (st) {
            st.clientEnded();
        }
        channelFreed();
    }

    @Override
    public void setDeadTimeSeconds(int seconds) {
        conn.setDeadTimeSeconds(seconds);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        endpoint.onLoop(() -> endpoint.engine().removeClientConnection(conn, System.nanoTime(), endpoint.output()));
        channelFreed();
    }

    @Override
    public InetSocketAddress peer() {
        return conn.peerAddress();
    }

    @Override
    public int securityIndex() {
        return conn.securityIndex();
    }

    @Override
    public int epoch() {
        return conn.epoch();
    }

    @Override
    public int serviceId() {
        return conn.serviceId();
    }

    @Override
    public Object securityIdentity() {
        return null;
    }

    @Override
    public String toString() {
        return conn.toString();
    }
}
