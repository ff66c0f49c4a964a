package afsdr.rx.rpc;

import afsdr.rx.RxCall;
import afsdr.rx.RxConnectionInfo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/** A server-side call over byte arrays: the request is given, the reply is collected. */
final class FakeRxCall implements RxCall {
    final ByteArrayInputStream in;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    Integer abortCode;

    FakeRxCall(byte[] request) {
        this.in = new ByteArrayInputStream(request);
    }

    @Override
    public InputStream input() {
        return in;
    }

    @Override
    public OutputStream output() {
        return out;
    }

    @Override
    public void abort(int code) {
        if (abortCode == null) {
            abortCode = code;
        }
    }

    @Override
    public RxConnectionInfo connection() {
        return new RxConnectionInfo() {
            @Override
            public InetSocketAddress peer() {
                return new InetSocketAddress("127.0.0.1", 7001);
            }

            @Override
            public int epoch() {
                return 1;
            }

            @Override
            public int securityIndex() {
                return 0;
            }

            @Override
            public int serviceId() {
                return 99;
            }

            @Override
            public Object securityIdentity() {
                return null;
            }
        };
    }
}
