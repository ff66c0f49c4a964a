package afsdr.rx.netty;

import afsdr.rx.RxCallHandler;
import afsdr.rx.RxClientConnection;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxConfig;
import afsdr.rx.proto.RxConnection;
import afsdr.rx.proto.RxEngine;
import afsdr.rx.proto.RxOutput;
import afsdr.rx.proto.RxStats;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.ServerSecurity;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One UDP socket speaking Rx: it hosts server services and client connections on the same port
 * (the stock volserver sends AFSVolForward's restore from its own port 7005, so must we).
 *
 * <p>Threads: one Netty event loop owns the socket and runs the pure protocol engine
 * ({@link RxEngine}) with {@code System.nanoTime()}; service handlers run on a bounded worker pool;
 * client calls run on the caller's thread. Writers block when their call's send queue is full and
 * readers that stop reading stop the peer (the window only opens as data is consumed).
 *
 * <p>On Linux the socket uses epoll with batched receives (recvmmsg) and sends (sendmmsg); NIO
 * elsewhere.
 */
public final class RxEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RxEndpoint.class.getName());
    /** Datagrams received per recvmmsg call. */
    private static final int RECV_BATCH = 16;
    /** Receive buffer with UDP GRO: the largest coalesced datagram the kernel hands up (64 KiB). */
    private static final int GRO_BUFFER = 65536;
    /** Timer resolution: the engine's deadlines are checked this often. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final RxEngine engine;
    private final RxConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel channel;
    private final ThreadPoolExecutor workers;
    private final Map<Integer, RxCallHandler> handlers = new ConcurrentHashMap<>();
    private final ChannelOutput output;
    private final ScheduledFuture<?> ticker;
    private final AtomicInteger busyWorkers = new AtomicInteger();
    private final boolean epoll;
    private volatile boolean closed;

    private RxEndpoint(Builder b) throws InterruptedException {
        this.config = b.config();
        SecureRandom rnd = new SecureRandom();
        this.engine = new RxEngine(config, new RxStats(), b.version, rnd.nextInt(), rnd.nextInt());
        if (b.interfaceMtu) {
            InterfaceMtu table = InterfaceMtu.system();
            engine.pathMtu(peer -> table.packetSizeFor(peer.getAddress()));
        }
        this.epoll = b.allowEpoll && Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "rx-loop-" + b.port);
            t.setDaemon(true);
            return t;
        }, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(b.workerThreads, b.workerThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.maxQueuedCalls), r -> {
                    Thread t = new Thread(r, "rx-worker-" + b.port + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.output = new ChannelOutput(this::dispatch, LOG);
        Bootstrap bs = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, b.socketBufferBytes)
                .option(ChannelOption.SO_SNDBUF, b.socketBufferBytes)
                .option(ChannelOption.SO_REUSEADDR, false);
        int datagram = RxConstants.RX_MAX_PACKET_SIZE;
        if (epoll && b.receiveOffload) {
            // UDP GRO: a burst the peer sent with segmentation offload (on loopback) arrives as
            // one buffer, read with one recvmsg; Netty cuts it back into datagrams
            bs.option(EpollChannelOption.UDP_GRO, true)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(GRO_BUFFER));
        } else if (epoll && b.batchedReceive) {
            bs.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, datagram)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(datagram * RECV_BATCH));
        } else {
            bs.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(datagram));
        }
        Supplier<ChannelHandler> filter = b.inboundFilter;
        bs.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (filter != null) {
                    ch.pipeline().addLast("filter", filter.get());
                }
                ch.pipeline().addLast("rx", new RxDatagramHandler(engine, output, LOG));
            }
        });
        InetSocketAddress bind = new InetSocketAddress(b.bindAddress, b.port);
        try {
            this.channel = bs.bind(bind).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownNow();
            throw e;
        }
        output.bind(channel);
        if (b.port == 0) {
            // name the loop after the port the kernel picked, so thread dumps and profiles tell
            // two endpoints of one process apart
            int port = ((InetSocketAddress) channel.localAddress()).getPort();
            loop.execute(() -> Thread.currentThread().setName("rx-loop-" + port));
        }
        output.enableSegmentationOffload(epoll && b.segmentationOffload
                && io.netty.channel.epoll.SegmentedDatagramPacket.isSupported());
        this.ticker = loop.scheduleAtFixedRate(this::tick, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        LOG.log(System.Logger.Level.DEBUG, "Rx endpoint on " + channel.localAddress() + (epoll ? " (epoll)" : " (nio)"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound address (port resolved when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Whether the native epoll transport is in use. */
    public boolean isEpoll() {
        return epoll;
    }

    public RxStats stats() {
        return engine.stats();
    }

    public RxConfig config() {
        return config;
    }

    /**
     * Serves {@code serviceId}: calls with a security index in {@code byIndex} run {@code handler};
     * others get a raw ABORT RX_INVALID_OPERATION (rx.md §3.2).
     */
    public void addService(int serviceId, Map<Integer, ServerSecurity> byIndex, RxCallHandler handler) {
        for (Map.Entry<Integer, ServerSecurity> e : byIndex.entrySet()) {
            if (e.getKey() != e.getValue().securityIndex()) {
                throw new IllegalArgumentException("security class " + e.getValue() + " registered at index " + e.getKey());
            }
        }
        handlers.put(serviceId, Objects.requireNonNull(handler));
        engine.addService(serviceId, byIndex);
    }

    /** Opens a client connection to {@code peer}'s {@code serviceId} from this endpoint's socket. */
    public RxClientConnection connect(InetSocketAddress peer, int serviceId, ClientSecurity security) {
        if (closed) {
            throw new IllegalStateException("endpoint closed");
        }
        RxConnection c = engine.newClientConnection(peer, serviceId, security, System.nanoTime());
        NettyClientConnection nc = new NettyClientConnection(this, c);
        c.attachment = nc;
        return nc;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.submit(() -> {
                ticker.cancel(false);
                engine.shutdown(System.nanoTime(), output);
                output.flush();
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Rx endpoint shutdown", e);
        }
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ internals used by calls

    RxEngine engine() {
        return engine;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    boolean inEventLoop() {
        return loop.inEventLoop();
    }

    /** Runs {@code task} on the event loop, then flushes what it wrote. */
    void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            runAndFlush(task);
        } else {
            try {
                loop.execute(() -> runAndFlush(task));
            } catch (RejectedExecutionException e) {
                // endpoint closing: the calls fail through shutdown
            }
        }
    }

    /** Runs {@code task} on the event loop and waits for it (never call from the loop itself). */
    void onLoopAndWait(Runnable task) throws InterruptedException {
        if (loop.inEventLoop()) {
            runAndFlush(task);
            return;
        }
        try {
            loop.submit(() -> runAndFlush(task)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void runAndFlush(Runnable task) {
        try {
            task.run();
        } finally {
            output.flush();
        }
    }

    RxOutput output() {
        return output;
    }

    /**
     * Runs the call's transmission on the event loop; the caller set {@code pumpTaskQueued}
     * under the call's lock (one task at a time per call).
     */
    void schedulePump(RxCallState st) {
        onLoop(() -> {
            synchronized (st) {
                st.pumpTaskQueued = false;
                st.pump(System.nanoTime(), output);
            }
        });
    }

    /** Asks the event loop to send a consumption ack for the call (coalesced per call). */
    void requestAck(RxCallState st) {
        synchronized (st) {
            if (st.ackTaskQueued) {
                return;
            }
            st.ackTaskQueued = true;
        }
        onLoop(() -> {
            synchronized (st) {
                st.ackTaskQueued = false;
                st.sendConsumptionAck(System.nanoTime(), output);
            }
        });
    }

    /** Sends the ABORT of a call the application failed. */
    void requestAbort(RxCallState st) {
        onLoop(() -> {
            synchronized (st) {
                st.sendAbortPacket(System.nanoTime(), output);
            }
        });
    }

    private void tick() {
        try {
            engine.tick(System.nanoTime(), output);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Rx timer work failed", e);
        } finally {
            output.flush();
        }
    }

    private void dispatch(RxCallState st) {
        RxCallHandler h = handlers.get(st.connection().serviceId());
        NettyRxCall call = NettyRxCall.attach(this, st);
        if (h == null) {
            call.abort(RxConstants.RX_INVALID_OPERATION);
            return;
        }
        engine.nWaiting = workers.getQueue().size() + 1;
        try {
            workers.execute(() -> runHandler(h, call));
        } catch (RejectedExecutionException e) {
            // every worker busy and the bounded queue full: refuse instead of queueing without
            // limit (the stock server's busy threshold does the same)
            LOG.log(System.Logger.Level.WARNING, "no worker for " + st + ": refusing the call");
            call.abort(RxConstants.RX_CALL_DEAD);
        }
    }

    private void runHandler(RxCallHandler h, NettyRxCall call) {
        busyWorkers.incrementAndGet();
        engine.idleThreads = workers.getMaximumPoolSize() - busyWorkers.get();
        engine.nWaiting = workers.getQueue().size();
        engine.nWaited++;
        engine.stats().callsExecuted.incrementAndGet();
        try {
            h.handle(call);
            call.endServerCall();
        } catch (afsdr.rx.RxCallException e) {
            call.abort(e.code());
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "Rx handler of service " + call.connection().serviceId() + " failed", t);
            call.abort(RxConstants.RX_INVALID_OPERATION);
        } finally {
            busyWorkers.decrementAndGet();
            engine.idleThreads = workers.getMaximumPoolSize() - busyWorkers.get();
        }
    }

    /** Settings of an endpoint. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int workerThreads = 16;
        private int maxQueuedCalls = 256;
        /** 0: not set (RX_REMOTE_PACKET_SIZE, or no cap of its own with {@link #interfaceMtu}). */
        private int mtu;
        private boolean interfaceMtu;
        private boolean jumbo;
        private int maxWindow = RxConstants.RX_MAX_WINDOW;
        private String version = "afsdr 0.1 (OpenAFS 1.8 compatible Rx)";
        private boolean allowEpoll = true;
        private int socketBufferBytes = 4 << 20;
        private Supplier<ChannelHandler> inboundFilter;
        private boolean batchedReceive = Boolean.parseBoolean(System.getProperty("afsdr.rx.recvmmsg", "true"));
        private boolean receiveOffload = Boolean.parseBoolean(System.getProperty("afsdr.rx.gro", "false"));
        private boolean segmentationOffload = Boolean.parseBoolean(System.getProperty("afsdr.rx.gso", "true"));
        private RxConfig base = RxConfig.defaults();

        public Builder bind(InetAddress address, int port) {
            this.bindAddress = address;
            this.port = port;
            return this;
        }

        public Builder workerThreads(int n) {
            this.workerThreads = n;
            return this;
        }

        /** Calls that may wait for a worker before new ones are refused. */
        public Builder maxQueuedCalls(int n) {
            this.maxQueuedCalls = n;
            return this;
        }

        /**
         * Largest Rx packet (header + data) without jumbograms (-rxmaxmtu); default 1444, or with
         * {@link #interfaceMtu} whatever the path to each peer allows.
         */
        public Builder maxMtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /**
         * Sizes packets per peer from the host's interfaces ({@link InterfaceMtu}: the attached
         * subnet's MTU, or the loopback MTU for a peer on this host; 1444 for anything routed),
         * within {@link #maxMtu} when that is set. Off by default: 1444 to every peer.
         */
        public Builder interfaceMtu(boolean on) {
            this.interfaceMtu = on;
            return this;
        }

        public Builder jumbo(boolean on) {
            this.jumbo = on;
            return this;
        }

        public Builder maxWindow(int packets) {
            this.maxWindow = packets;
            return this;
        }

        /** The string VERSION queries (rxdebug -version) get back. */
        public Builder version(String v) {
            this.version = v;
            return this;
        }

        /**
         * With epoll: receive with recvmmsg, {@value #RECV_BATCH_DOC} datagrams per system call
         * (default on; system property {@code afsdr.rx.recvmmsg}).
         */
        public Builder batchedReceive(boolean on) {
            this.batchedReceive = on;
            return this;
        }

        private static final int RECV_BATCH_DOC = RECV_BATCH;

        /**
         * With epoll: send runs of equal-sized packets with UDP segmentation offload, one system
         * call per run (default on where the kernel supports it; system property {@code afsdr.rx.gso}).
         * The wire sees ordinary datagrams.
         */
        public Builder segmentationOffload(boolean on) {
            this.segmentationOffload = on;
            return this;
        }

        /**
         * With epoll: receive with UDP generic receive offload (default off; system property
         * {@code afsdr.rx.gro}): a burst the peer sent with segmentation offload (a Java peer on
         * the same host) is read with one system call and without a kernel buffer per datagram.
         * Measured on loopback, Java to Java at load 15: 20-40 % less CPU per GiB (upload 4.0-5.1
         * vs 6.6-7.2 CPU-s/GiB) and 10-25 % more MB/s. Off by default because Netty then reads
         * with recvmsg instead of recvmmsg, so from a peer that sends plain datagrams (stock
         * OpenAFS) every datagram costs a system call (with GSO off on both sides, 256 MiB
         * through nftables loss ran at 21-72 MB/s with it and 30-53 without, at load 13: no
         * measurable gain).
         */
        public Builder receiveOffload(boolean on) {
            this.receiveOffload = on;
            return this;
        }

        /** Force the NIO transport (testing the fallback). */
        public Builder allowEpoll(boolean allow) {
            this.allowEpoll = allow;
            return this;
        }

        public Builder socketBufferBytes(int n) {
            this.socketBufferBytes = n;
            return this;
        }

        /** Protocol tunables (RTO, ack delays, dead times); window, MTU and jumbo come from this builder. */
        public Builder config(RxConfig c) {
            this.base = c;
            return this;
        }

        /** A handler put in front of the Rx handler, e.g. a loss injector in tests. */
        public Builder inboundFilter(Supplier<ChannelHandler> f) {
            this.inboundFilter = f;
            return this;
        }

        RxConfig config() {
            int m = mtu != 0 ? mtu : interfaceMtu ? RxConstants.RX_MAX_PACKET_SIZE : RxConstants.RX_REMOTE_PACKET_SIZE;
            return base.withMaxWindow(maxWindow).withMtu(m).withJumbo(jumbo);
        }

        public RxEndpoint build() throws InterruptedException {
            return new RxEndpoint(this);
        }
    }
}
