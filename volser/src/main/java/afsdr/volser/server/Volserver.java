package afsdr.volser.server;

import afsdr.nativeio.JnrPosix;
import afsdr.nativeio.Posix;
import afsdr.partition.NameiPartition;
import afsdr.partition.PartitionDiscovery;
import afsdr.partition.VicePartition;
import afsdr.volser.dump.VolumeRestorer;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.rxkad.KeyFile;
import afsdr.rx.rxkad.KeyFileExt;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.rxkad.RxkadServerSecurity;
import afsdr.rx.rxkad.RxkadTicketDecoder;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.RxNullSecurity;
import afsdr.rx.security.ServerSecurity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The volserver process: reads the configuration the stock way, attaches the vice partitions,
 * serves VOLSER (Rx service 4) on UDP 7005 and runs until SIGTERM.
 *
 * <p>Unlike the stock volserver it needs no fileserver on its host (realcell README G22: the stock
 * one waits for FSSYNC and then asserts): it owns the volumes it serves, so a DR host can run it
 * alone. On shutdown it stops taking calls, ends its transactions and leaves every volume
 * not in use, which is what a stock fileserver started afterwards expects.
 */
public final class Volserver implements AutoCloseable {
    /** The Rx service id of VOLSER, VOLSERVICE_ID (rx.md §1). */
    public static final int VOLSER_SERVICE_ID = 4;
    /** The Rx service id of the VL server (USER_SERVICE_ID 52). */
    static final int VL_SERVICE_ID = 52;
    /** What {@code rxdebug -version} shows. */
    public static final String VERSION = "afsdr volserver 0.1 (OpenAFS 1.8 VOLSER compatible)";

    private final VolserverOptions options;
    private final VolserLog log;
    private final AuditLog audit;
    private final VolserService service;
    private final ScheduledExecutorService reaper;
    private final ServerConfig config;
    private final List<NameiPartition> partitions;
    private final RxEndpoint endpoint;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;

    private Volserver(VolserverOptions options, VolserLog log, AuditLog audit, ServerConfig config,
                      List<NameiPartition> partitions, RxEndpoint endpoint, VolserService service,
                      ScheduledExecutorService reaper) {
        this.options = options;
        this.log = log;
        this.audit = audit;
        this.service = service;
        this.reaper = reaper;
        this.config = config;
        this.partitions = partitions;
        this.endpoint = endpoint;
    }

    /** Starts a volserver with these options; the caller closes it. Used by {@link #main} and by tests. */
    public static Volserver start(VolserverOptions options) throws IOException, InterruptedException {
        VolserLog log = VolserLog.open(options.logFile, options.transarcLogs, Clock.systemDefaultZone());
        try {
            log.log("Starting " + VERSION);
            for (String w : options.warnings) {
                log.log(w);
            }
            ServerConfig config = ServerConfig.load(options.configDir, options.localDir);
            if (config.noAuth) {
                log.log("NoAuth file found in " + options.localDir + ": every caller is treated as a superuser");
            }
            Posix posix = JnrPosix.get();
            List<NameiPartition> parts = new ArrayList<>();
            Map<Integer, String> devices = new HashMap<>();
            for (VicePartition vp : new PartitionDiscovery(options.partitionRoot, Path.of("/proc/mounts")).discover()) {
                NameiPartition np = NameiPartition.open(posix, vp);
                // Restores cut short by a crash are finished or rolled back before anything is served.
                for (int id : VolumeRestorer.recover(np)) {
                    log.log("Partition " + vp.name() + ": completed an interrupted restore of volume "
                        + Integer.toUnsignedString(id));
                }
                ShadowRules.removeLeftoverPreimages(np, log);
                VolserService.putBackAbandoned(np, log);
                parts.add(np);
                devices.put(vp.id(), vp.device() == null ? "" : vp.device());
                log.log("Partition " + vp.name() + ": attached (" + vp.path() + ")");
            }
            if (parts.isEmpty()) {
                log.log("No vice partitions found under " + options.partitionRoot);
            }
            InetAddress bindAddress;
            if (options.rxbind) {
                bindAddress = config.primaryAddress();
                if (bindAddress == null) {
                    throw new IOException("-rxbind given but no usable address: check "
                        + options.localDir.resolve("NetInfo") + " and NetRestrict");
                }
            } else {
                bindAddress = InetAddress.getByAddress(new byte[4]);
            }
            AuditLog audit = AuditLog.open(options.auditLog, Clock.systemDefaultZone());
            SuperUserCheck auth = new SuperUserCheck(options.localDir, config.superUsers,
                SuperUserCheck.rxkadNames(config.thisCell));
            VolserService service = new VolserService(Collections.unmodifiableList(parts), Map.copyOf(devices), log,
                audit, auth, options.restrictedQuery == VolserverOptions.RestrictedQuery.ADMIN, Clock.systemUTC());
            RxEndpoint.Builder b = RxEndpoint.builder()
                .bind(bindAddress, options.port)
                .workerThreads(options.threads)
                .jumbo(options.jumbo)
                .interfaceMtu(true)
                .version(VERSION);
            if (options.rxMaxMtu > 0) {
                b.maxMtu(options.rxMaxMtu);
            }
            if (options.udpSize > 0) {
                b.socketBufferBytes(options.udpSize);
            }
            RxEndpoint endpoint = b.build();
            Map<Integer, ServerSecurity> security = new HashMap<>();
            security.put(0, RxNullSecurity.INSTANCE);
            ServerSecurity rxkad = rxkadServerSecurity(options.configDir, log);
            if (rxkad != null) {
                security.put(RxConstants.RX_SECIDX_KAD, rxkad);
            }
            endpoint.addService(VOLSER_SERVICE_ID, security, service.dispatcher());
            CellClientSecurity asClient = new CellClientSecurity(options.configDir, options.localDir, options.s2sCrypt,
                new SecureRandom());
            service.connector((peer, incoming) -> {
                ClientSecurity sec = asClient.forVolserver(incoming);
                log.log("Forwarding to " + peer.getAddress().getHostAddress() + ":" + peer.getPort() + " with "
                    + CellClientSecurity.describe(sec));
                return endpoint.connect(peer, VOLSER_SERVICE_ID, sec);
            });
            log.log("Volserver listening on " + endpoint.localAddress().getAddress().getHostAddress()
                + ":" + endpoint.localAddress().getPort() + " with " + options.threads + " threads");
            ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread th = new Thread(r, "volser-trans-reaper");
                th.setDaemon(true);
                return th;
            });
            reaper.scheduleWithFixedDelay(() -> service.reapIdle(service.now()), TransactionTable.GCWAKEUP,
                TransactionTable.GCWAKEUP, TimeUnit.SECONDS);
            // What a stock fileserver would do here: tell the VLDB which addresses this server has.
            VlRegistration.start(config, log, reaper, peer -> endpoint.connect(peer, VL_SERVICE_ID,
                asClient.forVlserver()));
            return new Volserver(options, log, audit, config, parts, endpoint, service, reaper);
        } catch (IOException | InterruptedException | RuntimeException e) {
            log.log("Volserver failed to start: " + e.getMessage());
            log.close();
            throw e;
        }
    }

    /**
     * rxkad (security index 2, clear level and up) from the cell keys in the configuration folder,
     * as the stock server builds it: the KeyFile's DES keys open Kerberos 4 style tickets (what
     * {@code -localauth} and a forwarding stock volserver send), KeyFileExt's keys open Kerberos 5
     * tickets. Without a KeyFile, rxkad is not offered (stock servers then fail every rxkad
     * connection); rxnull stays, and NoAuth decides what it may do.
     */
    static ServerSecurity rxkadServerSecurity(Path configDir, VolserLog log) throws IOException {
        Path keyFile = configDir.resolve("KeyFile");
        if (!Files.isRegularFile(keyFile)) {
            log.log("No KeyFile in " + configDir + ": rxkad (authenticated) connections are not accepted");
            return null;
        }
        KeyFile keys = KeyFile.parse(Files.readAllBytes(keyFile));
        Path extFile = configDir.resolve("KeyFileExt");
        KeyFileExt ext = Files.isRegularFile(extFile) ? KeyFileExt.parse(Files.readAllBytes(extFile))
            : new KeyFileExt(List.of());
        SecureRandom random = new SecureRandom();
        return new RxkadServerSecurity(RxConstants.RX_SECIDX_KAD, RxkadLevel.CLEAR,
            RxkadTicketDecoder.keyFiles(keys, ext), random);
    }

    public InetSocketAddress address() {
        return endpoint.localAddress();
    }

    public List<NameiPartition> partitions() {
        return partitions;
    }

    public ServerConfig config() {
        return config;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            log.log("Shutting down volserver");
            endpoint.close();
            reaper.shutdownNow();
            // No call runs any more: every transaction ends and its volume is put back, so the
            // partitions are left with no volume in use, as after a stock EndTrans.
            service.endAll();
            log.log("Volserver stopped");
            if (audit != null) {
                audit.close();
            }
            log.close();
        } catch (IOException e) {
            System.err.println("volserver: closing the log: " + e);
        } finally {
            stopped.countDown();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The process body, separated from {@link #main} so tests can check exit codes and messages. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("-shadows")) {
            // The operator's status of shadow marks: reads the partitions, starts no server.
            return ShadowStatus.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        VolserverOptions options;
        try {
            options = VolserverOptions.parse(args);
        } catch (VolserverOptions.UsageException e) {
            err.println("volserver: " + e.getMessage());
            err.println(VolserverOptions.USAGE);
            return 1;
        }
        if (options.help) {
            out.println(VolserverOptions.USAGE);
            return 0;
        }
        Volserver server;
        try {
            server = start(options);
        } catch (IOException e) {
            err.println("volserver: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        // bosserver and systemd stop a volserver with SIGTERM and expect a clean exit (status 0, as
        // the stock one gives), so TERM is handled rather than left to the JVM's default (status 143).
        // The shutdown hook covers SIGINT and System.exit from elsewhere.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "volserver-shutdown"));
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> new Thread(server::close, "volserver-sigterm").start());
        } catch (IllegalArgumentException e) {
            err.println("volserver: cannot handle SIGTERM (" + e.getMessage() + "); the JVM default applies");
        }
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
