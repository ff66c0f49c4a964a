package afsdr.bench.rx;

import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxConfig;
import afsdr.rx.proto.RxConnection;
import afsdr.rx.proto.RxEngine;
import afsdr.rx.proto.RxOutput;
import afsdr.rx.proto.RxStats;
import afsdr.rx.security.RxNullSecurity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One timer tick of an {@link RxEngine} (run every 5 ms on the event loop) holding
 * {@code connections} connections whose calls have ended: what a volserver carries for
 * rx_idleConnectionTime (700 s) after every vos command it served. The cost should not grow
 * with them. Run: {@code java -cp ... org.openjdk.jmh.Main afsdr.bench.rx.RxEngineTickBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RxEngineTickBenchmark {
    @Param({"10", "1000", "10000"})
    public int connections;

    private RxEngine engine;
    private long now;
    private final RxOutput out = new RxOutput() {
        @Override
        public ByteBufAllocator alloc() {
            return UnpooledByteBufAllocator.DEFAULT;
        }

        @Override
        public void transmit(InetSocketAddress peer, ByteBuf datagram) {
            datagram.release();
        }

        @Override
        public void dispatch(RxCallState call) {
        }

        @Override
        public void wake(RxCallState call) {
        }

        @Override
        public long wallClockSeconds() {
            return now / 1_000_000_000L;
        }
    };

    @Setup
    public void setup() {
        engine = new RxEngine(RxConfig.defaults(), new RxStats(), "bench", 0x1234, 0x1000);
        now = System.nanoTime();
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 7005);
        for (int i = 0; i < connections; i++) {
            RxConnection c = engine.newClientConnection(peer, 4, RxNullSecurity.INSTANCE, now);
            RxCallState call = c.newClientCall(now);
            synchronized (call) {
                call.clientEnded();
            }
        }
        // the first ticks see every new call, then only what still has a deadline
        for (int i = 0; i < 3; i++) {
            now += 5_000_000L;
            engine.tick(now, out);
        }
    }

    @Benchmark
    public long tick() {
        now += 5_000_000L;
        return engine.tick(now, out);
    }
}
