package afsdr.realcell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A stock OpenAFS 1.8 cell on loopback, for tests that drive the real binaries against our code.
 *
 * <p>The test JVM must already run in a private network namespace whose only interface is {@code lo}
 * ({@code bin/test} and {@code bin/in-netns} arrange that). Servers use 127.1.0.x, because OpenAFS treats
 * 127.0.0.0/16 as loopback and refuses it as a server address (gotcha G1 of the realcell notes):
 * <pre>
 *   node    host name   address     what runs there
 *   db      afs-db      127.1.0.1   vlserver (7003), ptserver (7002)
 *   fs1     afs-fs1     127.1.0.2   fileserver (7000), volserver (7005), /vicepa, /vicepb
 *   fs2     afs-fs2     127.1.0.3   fileserver (7000), volserver (7005), /vicepa, /vicepb
 *   j1      afs-j1      127.1.0.4   nothing: the place for the volserver under test; /vicepa
 *   j2      afs-j2      127.1.0.5   nothing: a second one of ours (ours->ours transfers); /vicepa
 *   client  afs-client  127.1.0.9   identity of vos, pts, udebug... (never bound)
 * </pre>
 * Every stock process runs as {@code unshare --mount --uts --propagation private -- node.sh STATE NODE CMD},
 * which gives the node its hostname and bind-mounts the node's own configuration, local state, logs,
 * database and partitions from the state directory over the paths compiled into the Debian binaries, then
 * execs CMD. Nothing on the host is written except the empty mount-point directories {@code /vicepa} and
 * {@code /vicepb}, which are created when missing and left in place (another cell may be using them).
 *
 * <p>Example:
 * <pre>{@code
 * @Interop
 * class ShadowTest {
 *     static RealCell cell;
 *
 *     @BeforeAll static void cell() { cell = RealCell.shared(); }   // started once per JVM, ~5 s
 *
 *     @Test void createAndExamine() {
 *         cell.vos("create", cell.host(RealCell.FS1), "a", "t.x", cell.authArg()).orFail();
 *         assertTrue(cell.vos("examine", "t.x", cell.authArg()).orFail().stdout().contains("On-line"));
 *         cell.vos("remove", "-id", "t.x", cell.authArg()).orFail();
 *     }
 *
 *     @Test void ourVolserver() throws Exception {
 *         // an in-process server binds cell.address(J1):7005 and uses cell.partitionDir(J1, "a"),
 *         // cell.serverConfigDir() and cell.localDir(J1); an external one is started as a daemon:
 *         Process p = cell.startDaemon(RealCell.J1, "volserver", "bin/volserver", "-rxbind");
 *         ...
 *         cell.stopDaemon(p);   // or leave it: close() and the shutdown hook stop it
 *     }
 * }
 * }</pre>
 * Tests that share a cell must use their own volume names and remove what they create. A test class that
 * needs other {@link Options} calls {@link #shared(Options)} (which restarts the shared cell when the options
 * differ) or {@link #start(Options)} and closes that cell itself; only one cell can run in one namespace.
 *
 * <p>Teardown ({@link #close()}, or the JVM shutdown hook for cells still open) stops test daemons in reverse
 * order of start, then the stock volservers, fileservers (SIGQUIT, as bosserver does: SIGTERM does not stop a
 * fileserver, gotcha G8) and database servers, sends SIGKILL after a grace period, waits for every process and
 * deletes the state directory, unless the environment variable {@value #KEEP_ENV} is set, in which case its
 * path is printed. State directories are made under {@code $}{@value #BASE_ENV}, default {@code /var/tmp}.
 */
public final class RealCell implements AutoCloseable {

    public static final String DB = "db";
    public static final String FS1 = "fs1";
    public static final String FS2 = "fs2";
    public static final String J1 = "j1";
    public static final String J2 = "j2";
    public static final String CLIENT = "client";

    public static final String CELL_NAME = "test.afsdr";
    /** Where the Debian packages put the server binaries (not /usr/sbin). */
    public static final Path OPENAFS_LIBEXEC = Path.of("/usr/lib/openafs");
    /** Set (to anything) to keep the state directory after close, for debugging. */
    public static final String KEEP_ENV = "AFSDR_KEEP_CELL";
    /** Directory under which state directories are created; default /var/tmp. */
    public static final String BASE_ENV = "AFSDR_CELL_BASE";
    /** Timeout of {@link #run(String, String...)} and {@link #vos(String...)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    static final String UNSHARE = "/usr/bin/unshare";
    private static final String SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final System.Logger LOG = System.getLogger(RealCell.class.getName());

    /** Last byte of each node's address; the first three come from the cell's mode ({@link #addressPrefix}). */
    private static final Map<String, Integer> HOST_BYTES = new LinkedHashMap<>();
    private static final Map<String, List<String>> PARTITIONS = Map.of(FS1, List.of("a", "b"),
            FS2, List.of("a", "b"), J1, List.of("a"), J2, List.of("a"));
    static {
        HOST_BYTES.put(DB, 1);
        HOST_BYTES.put(FS1, 2);
        HOST_BYTES.put(FS2, 3);
        HOST_BYTES.put(J1, 4);
        HOST_BYTES.put(J2, 5);
        HOST_BYTES.put(CLIENT, 9);
    }

    /**
     * A noauth cell lives on 127.1.0.x, an auth cell on 127.2.0.x, so one cell of each mode can run at the
     * same time in one network namespace: the interop suite's auth runs then cost no restart of the shared
     * noauth cell.
     */
    static String addressPrefix(boolean auth) {
        return auth ? "127.2.0." : "127.1.0.";
    }

    /**
     * The superuser listed in the server UserList of every cell (a name, as {@code pts}/{@code bos adduser}
     * would put it); with auth on, a ticket for it is what a cell administrator's token carries.
     */
    public static final String ADMIN_USER = "admin";
    /** Key version of the DES KeyFile key and of the AES KeyFileExt key of an auth cell. */
    public static final int KVNO = 1;

    static final int VLSERVER_PORT = 7003;
    static final int PTSERVER_PORT = 7002;
    static final int FILESERVER_PORT = 7000;
    static final int VOLSERVER_PORT = 7005;

    private static final Duration QUORUM_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 150;
    private static final int LOG_TAIL_LINES = 40;

    /**
     * What to start.
     *
     * @param stockNodes which of {@link #DB}, {@link #FS1}, {@link #FS2} get their stock servers started;
     *                   fs1 and fs2 need db (their fileservers register in the VLDB)
     * @param auth       false: noauth mode (NoAuth file on every node, use {@code -noauth});
     *                   true: servers enforce rxkad auth (use {@code -localauth}, see {@link #authArg()})
     * @param volserverArgs extra switches of the stock volservers (e.g. {@code -s2scrypt inherit})
     */
    public record Options(Set<String> stockNodes, boolean auth, List<String> volserverArgs) {
        public Options(Set<String> stockNodes, boolean auth) {
            this(stockNodes, auth, List.of());
        }

        public Options {
            volserverArgs = List.copyOf(volserverArgs);
            stockNodes = Collections.unmodifiableSet(new LinkedHashSet<>(stockNodes));
            for (String node : stockNodes) {
                if (!List.of(DB, FS1, FS2).contains(node)) {
                    throw new IllegalArgumentException("not a stock node: " + node + " (db, fs1, fs2)");
                }
            }
            if (!stockNodes.contains(DB) && (stockNodes.contains(FS1) || stockNodes.contains(FS2))) {
                throw new IllegalArgumentException("fs1/fs2 need db: their fileservers register in the VLDB");
            }
        }

        /** db, fs1 and fs2 in noauth mode. */
        public static Options defaults() {
            return new Options(new LinkedHashSet<>(List.of(DB, FS1, FS2)), false);
        }

        public Options withStockNodes(String... nodes) {
            return new Options(new LinkedHashSet<>(Arrays.asList(nodes)), auth, volserverArgs);
        }

        public Options withAuth(boolean auth) {
            return new Options(stockNodes, auth, volserverArgs);
        }

        /** The stock volservers get these switches after {@code -rxbind -log}. */
        public Options withVolserverArgs(String... args) {
            return new Options(stockNodes, auth, List.of(args));
        }
    }

    /** A process this cell started and will stop. */
    private record Daemon(String node, String name, Process process, boolean quitToStop) {
        String describe() {
            return name + " on " + node + " (pid " + process.pid() + ")";
        }
    }

    private static final Set<RealCell> OPEN = new LinkedHashSet<>();
    private static boolean hookInstalled;
    /** The shared cell of each mode (key: auth), see {@link #shared(Options)}. */
    private static final Map<Boolean, RealCell> SHARED = new LinkedHashMap<>();
    private static final Map<Boolean, RuntimeException> SHARED_FAILURE = new LinkedHashMap<>();
    private static final Map<Boolean, Options> SHARED_OPTIONS_OF_FAILURE = new LinkedHashMap<>();

    private final Options options;
    private final Path stateDir;
    private final Path nodeScript;
    private final AtomicLong execCounter = new AtomicLong();
    private final List<Daemon> stockDaemons = new ArrayList<>();
    private final List<Daemon> testDaemons = new ArrayList<>();
    private volatile boolean closed;
    private volatile boolean isShared;
    private Duration startupTime = Duration.ZERO;

    private RealCell(Options options, Path stateDir) {
        this.options = options;
        this.stateDir = stateDir;
        this.nodeScript = stateDir.resolve("node.sh");
    }

    // ------------------------------------------------------------------ life cycle

    /**
     * Creates a fresh cell and starts the stock servers of {@code options}, waiting until the databases accept
     * writes and every fileserver is registered in the VLDB. Fails with {@link IllegalStateException}
     * (carrying the tails of the server logs when a server did not come up) and leaves nothing behind.
     */
    public static RealCell start(Options options) {
        Environment.check();
        synchronized (RealCell.class) {
            boolean mode = options.auth();
            RealCell idle = SHARED.get(mode);
            if (idle != null && OPEN.contains(idle)) {
                LOG.log(Level.INFO, "stopping the shared {0} cell: a test starts a cell of its own",
                        mode ? "auth" : "noauth");
                idle.shutdown();
            }
            SHARED.remove(mode);
            SHARED_FAILURE.remove(mode);
            for (RealCell open : OPEN) {
                if (open.options.auth() == mode) {
                    throw new IllegalStateException("another RealCell of this mode is still open in this JVM (" + open
                            + "); only one cell per mode can run in one network namespace: close it first");
                }
            }
            installHook();
            RealCell cell = new RealCell(options, createStateDir());
            OPEN.add(cell);
            try {
                cell.boot();
                return cell;
            } catch (RuntimeException | Error e) {
                String logs = cell.logTails();
                cell.shutdown();
                throw new IllegalStateException("real cell did not start: " + e.getMessage() + logs, e);
            }
        }
    }

    /** The per-JVM shared cell with {@link Options#defaults()} (noauth); see {@link #shared(Options)}. */
    public static RealCell shared() {
        return shared(Options.defaults());
    }

    /**
     * The per-JVM shared auth cell: db, fs1 and fs2 with authentication on (no NoAuth anywhere), a DES
     * KeyFile and an AES KeyFileExt key, and {@link #ADMIN_USER} in the UserList. It runs beside the
     * {@link #shared()} noauth cell, on 127.2.0.x. See {@link #shared(Options)}.
     */
    public static RealCell sharedAuth() {
        return shared(Options.defaults().withAuth(true));
    }

    /**
     * A cell shared by all test classes of this JVM, one per mode (noauth, auth): started on first use, kept
     * running for later callers with the same options, restarted when a caller asks for different ones of the
     * same mode, and stopped by the shutdown hook. {@link #close()} on it does nothing. A failed start is
     * remembered and rethrown to later callers with the same options rather than retried.
     */
    public static synchronized RealCell shared(Options options) {
        boolean mode = options.auth();
        RealCell current = SHARED.get(mode);
        if (current != null && OPEN.contains(current) && current.options.equals(options)) {
            return current;
        }
        if (SHARED_FAILURE.get(mode) != null && current == null && options.equals(SHARED_OPTIONS_OF_FAILURE.get(mode))) {
            throw new IllegalStateException("the shared real cell failed to start earlier in this JVM",
                    SHARED_FAILURE.get(mode));
        }
        try {
            RealCell cell = start(options);
            cell.isShared = true;
            SHARED.put(mode, cell);
            return cell;
        } catch (RuntimeException e) {
            SHARED_FAILURE.put(mode, e);
            SHARED_OPTIONS_OF_FAILURE.put(mode, options);
            throw e;
        }
    }

    /**
     * Stops every process this cell started and deletes its state directory (see the class comment).
     * Does nothing on the {@link #shared()} cell, which the shutdown hook stops.
     */
    @Override
    public void close() {
        if (isShared) {
            return;
        }
        shutdown();
    }

    /** Throws {@link IllegalStateException} when this process cannot run a cell, saying how to run. */
    public static void checkEnvironment() {
        Environment.check();
    }

    // ------------------------------------------------------------------ accessors

    public Options options() {
        return options;
    }

    public String cellName() {
        return CELL_NAME;
    }

    /** {@code -noauth} or {@code -localauth}, whichever vos/pts need for this cell's auth mode. */
    public String authArg() {
        return options.auth() ? "-localauth" : "-noauth";
    }

    /** The node's 127.1.0.x address. */
    public InetAddress address(String node) {
        try {
            return InetAddress.getByName(addressString(node));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node's address as text, e.g. "127.1.0.2" (what vos -server accepts). */
    public String addressString(String node) {
        Integer host = HOST_BYTES.get(node);
        if (host == null) {
            throw new IllegalArgumentException("unknown node " + node + "; nodes are " + HOST_BYTES.keySet());
        }
        return addressPrefix(options.auth()) + host;
    }

    /** The node's name in the cell's hosts file, e.g. "afs-fs1". */
    public String host(String node) {
        addressString(node);
        return "afs-" + node;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** What every node sees as /etc/openafs: ThisCell, CellServDB. */
    public Path clientConfigDir() {
        return stateDir.resolve("etc");
    }

    /** What every node sees as /etc/openafs/server: ThisCell, CellServDB, KeyFile. */
    public Path serverConfigDir() {
        return stateDir.resolve("etc/server");
    }

    /** What the node sees as /var/lib/openafs/local: NetInfo, NoAuth (noauth mode), server state. */
    public Path localDir(String node) {
        return nodeDir(node).resolve("local");
    }

    /** What the node sees as /var/log/openafs; also where {@link #startDaemon} writes NAME.out. */
    public Path logDir(String node) {
        return nodeDir(node).resolve("logs");
    }

    /** What the node sees as /vicep{@code part}; fs1 and fs2 have a and b, j1 and j2 have a. */
    public Path partitionDir(String node, String part) {
        if (!PARTITIONS.getOrDefault(node, List.of()).contains(part)) {
            throw new IllegalArgumentException("node " + node + " has no partition /vicep" + part);
        }
        return nodeDir(node).resolve("vicep" + part);
    }

    /** The process id of a stock server this cell started ({@code name}: vlserver, fileserver, volserver...). */
    public long stockPid(String node, String name) {
        for (Daemon d : stockDaemons) {
            if (d.node().equals(node) && d.name().equals(name)) {
                return d.process().pid();
            }
        }
        throw new IllegalArgumentException("no stock " + name + " on " + node + " in " + this);
    }

    /** Wall time {@link #start} took until the cell was usable. */
    public Duration startupTime() {
        return startupTime;
    }

    private Path nodeDir(String node) {
        addressString(node);
        return stateDir.resolve("nodes").resolve(node);
    }

    // ------------------------------------------------------------------ running things

    /** Runs {@code vos ARGS...} as node "client" with {@link #DEFAULT_TIMEOUT}; pass -noauth/-localauth yourself. */
    public ExecResult vos(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("vos");
        cmd.addAll(Arrays.asList(args));
        return run(DEFAULT_TIMEOUT, CLIENT, cmd.toArray(String[]::new));
    }

    /** Runs a command as {@code node} (with its view of /etc/openafs, hosts, local, logs, partitions). */
    public ExecResult run(String node, String... cmd) {
        return run(DEFAULT_TIMEOUT, node, cmd);
    }

    /**
     * Runs a command as {@code node} and waits for it; on timeout the command and its descendants are killed
     * and the result says {@link ExecResult#timedOut()}. Standard input is /dev/null.
     */
    public ExecResult run(Duration timeout, String node, String... cmd) {
        ensureOpen();
        nodeDir(node);
        if (cmd.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        long n = execCounter.incrementAndGet();
        Path out = stateDir.resolve("exec/" + n + ".out");
        Path err = stateDir.resolve("exec/" + n + ".err");
        long t0 = System.nanoTime();
        Process p = launch(node, List.of(cmd), ProcessBuilder.Redirect.to(out.toFile()),
                ProcessBuilder.Redirect.to(err.toFile()));
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killTree(p);
                p.waitFor();
            }
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + Arrays.toString(cmd), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        try {
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return new ExecResult(node, List.of(cmd), timedOut ? -1 : p.exitValue(), stdout, stderr, timedOut,
                    elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read output of " + Arrays.toString(cmd), e);
        }
    }

    /**
     * Starts a long-running process as {@code node}; its stdout and stderr go to {@code logDir(node)/NAME.out}.
     * The process is stopped by {@link #stopDaemon}, {@link #close()} or the shutdown hook: SIGTERM (SIGQUIT for
     * a stock fileserver), then SIGKILL after a grace period, descendants included. The returned process's PID
     * is the command's own (the namespace set-up execs it).
     */
    public Process startDaemon(String node, String name, String... cmd) {
        ensureOpen();
        nodeDir(node);
        if (cmd.length == 0) {
            throw new IllegalArgumentException("empty command");
        }
        Daemon d = spawnDaemon(node, name, List.of(cmd));
        synchronized (testDaemons) {
            testDaemons.add(d);
        }
        return d.process();
    }

    /** Stops a process started by {@link #startDaemon} and waits for it (and its descendants) to end. */
    public void stopDaemon(Process process) {
        Daemon found = null;
        synchronized (testDaemons) {
            for (Daemon d : testDaemons) {
                if (d.process() == process) {
                    found = d;
                }
            }
            testDaemons.remove(found);
        }
        if (found == null) {
            throw new IllegalArgumentException("not a daemon of this cell: pid " + process.pid());
        }
        stopGroup(List.of(found));
    }

    @Override
    public String toString() {
        return "RealCell[" + CELL_NAME + ", " + options + ", state " + stateDir + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ start-up

    private static Path createStateDir() {
        String base = System.getenv(BASE_ENV);
        Path baseDir = Path.of(base == null || base.isEmpty() ? "/var/tmp" : base);
        try {
            Files.createDirectories(baseDir);
            return Files.createTempDirectory(baseDir, "afsdr-cell-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory under " + baseDir, e);
        }
    }

    private void boot() {
        long t0 = System.nanoTime();
        long dbReadyMillis = 0;
        List<InetSocketAddress> endpoints = new ArrayList<>();
        if (options.stockNodes().contains(DB)) {
            endpoints.add(new InetSocketAddress(addressString(DB), VLSERVER_PORT));
            endpoints.add(new InetSocketAddress(addressString(DB), PTSERVER_PORT));
        }
        for (String fs : fileserverNodes()) {
            endpoints.add(new InetSocketAddress(addressString(fs), FILESERVER_PORT));
            endpoints.add(new InetSocketAddress(addressString(fs), VOLSERVER_PORT));
        }
        Environment.checkFree(endpoints);
        try {
            writeState();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cell state in " + stateDir, e);
        }
        makeKeyFile();
        if (options.stockNodes().contains(DB)) {
            stockDaemons.add(spawnDaemon(DB, "vlserver", List.of(OPENAFS_LIBEXEC + "/vlserver", "-rxbind")));
            stockDaemons.add(spawnDaemon(DB, "ptserver", List.of(OPENAFS_LIBEXEC + "/ptserver", "-rxbind")));
            awaitDatabases();
            dbReadyMillis = (System.nanoTime() - t0) / 1_000_000;
        }
        for (String fs : fileserverNodes()) {
            stockDaemons.add(spawnDaemon(fs, "fileserver", List.of(OPENAFS_LIBEXEC + "/fileserver", "-rxbind")));
        }
        for (String fs : fileserverNodes()) {
            // The volserver talks to its fileserver over FSSYNC and, when that is not listening yet, retries
            // only after 3 s and more (G22). The socket file appears at bind(), a moment before listen(); the
            // FileLog line "File Server started" comes after both.
            Path fileLog = logDir(fs).resolve("FileLog");
            await("fileserver on " + fs + " to log 'File Server started'", REGISTRATION_TIMEOUT,
                    () -> fileContains(fileLog, "File Server started"));
            List<String> volserver = new ArrayList<>(List.of(OPENAFS_LIBEXEC + "/volserver", "-rxbind", "-log"));
            volserver.addAll(options.volserverArgs());
            stockDaemons.add(spawnDaemon(fs, "volserver", volserver));
        }
        if (!fileserverNodes().isEmpty()) {
            awaitRegistration();
        }
        startupTime = Duration.ofNanos(System.nanoTime() - t0);
        LOG.log(Level.INFO, "cell {0} up in {1} ms (databases ready after {2} ms): stock nodes {3}, {4}, state {5}",
                CELL_NAME, startupTime.toMillis(), dbReadyMillis, options.stockNodes(),
                options.auth() ? "auth" : "noauth", stateDir);
    }

    private List<String> fileserverNodes() {
        List<String> nodes = new ArrayList<>();
        for (String n : List.of(FS1, FS2)) {
            if (options.stockNodes().contains(n)) {
                nodes.add(n);
            }
        }
        return nodes;
    }

    private void writeState() throws IOException {
        Files.createDirectories(stateDir.resolve("etc/server"));
        Files.createDirectories(stateDir.resolve("exec"));
        String cellServDb = ">" + CELL_NAME + "\t#afsdr loopback test cell\n" + addressString(DB) + "\t#afs-db\n";
        for (Path dir : List.of(clientConfigDir(), serverConfigDir())) {
            Files.writeString(dir.resolve("ThisCell"), CELL_NAME + "\n");
            Files.writeString(dir.resolve("CellServDB"), cellServDb);
        }
        StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n");
        for (String node : HOST_BYTES.keySet()) {
            hosts.append(addressString(node)).append("\tafs-").append(node).append('\n');
        }
        Files.writeString(stateDir.resolve("hosts"), hosts);
        // Any DNS lookup goes to 127.0.0.1:53, where nothing listens: it fails at once and stays on loopback.
        Files.writeString(stateDir.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        try (InputStream script = RealCell.class.getResourceAsStream("node.sh")) {
            if (script == null) {
                throw new IOException("resource afsdr/realcell/node.sh missing from the classpath");
            }
            Files.write(nodeScript, script.readAllBytes());
        }
        for (String node : HOST_BYTES.keySet()) {
            Files.createDirectories(localDir(node));
            Files.createDirectories(logDir(node));
            // "f ADDR": use this address although no interface has it. Without it a server finds no address
            // of its own, because rx skips every address on the loopback device (gotcha G2).
            Files.writeString(localDir(node).resolve("NetInfo"), "f " + addressString(node) + "\n");
            if (!options.auth()) {
                // noauth is this file, not a flag: fileserver, volserver and ptserver have no -noauth (G7)
                Files.createFile(localDir(node).resolve("NoAuth"));
            }
            for (String part : PARTITIONS.getOrDefault(node, List.of())) {
                Files.createDirectories(partitionDir(node, part));
                // a plain directory, not a file system of its own: the namei fileserver attaches it only
                // with this marker (G6)
                Files.createFile(partitionDir(node, part).resolve("AlwaysAttach"));
                // the node script bind-mounts over /vicepX, which must exist; left in place afterwards
                Files.createDirectories(Path.of("/vicep" + part));
            }
        }
        Files.createDirectories(nodeDir(DB).resolve("db"));
        // the superusers of every server besides the localauth identity (afsconf_SuperUser); one name a line
        Files.writeString(serverConfigDir().resolve("UserList"), ADMIN_USER + "\n");
    }

    /**
     * The cell keys, written by the stock {@code asetkey}: a single-DES rxkad key (kvno {@link #KVNO}) in the
     * KeyFile of every cell, and in auth mode also an aes256-cts-hmac-sha1-96 rxkad_krb5 key (kvno
     * {@link #KVNO}, enctype 18) in KeyFileExt, which stock {@code -localauth} and a forwarding stock
     * volserver then prefer (they make Kerberos 5 tickets with it). The DES key needs odd parity in every
     * byte: with arbitrary bytes every ticket fails with "key_sched returned -1" and vos silently falls back
     * to unauthenticated (G10). asetkey takes rxkad_krb5 keys only from a keytab, so one is written first.
     */
    private void makeKeyFile() {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[8];
        random.nextBytes(key);
        for (int i = 0; i < key.length; i++) {
            int high7 = key[i] & 0xfe;
            key[i] = (byte) (Integer.bitCount(high7) % 2 == 0 ? high7 | 1 : high7);
        }
        run(CLIENT, "/usr/sbin/asetkey", "add", String.valueOf(KVNO), HexFormat.of().formatHex(key)).orFail();
        if (!Files.isRegularFile(serverConfigDir().resolve("KeyFile"))) {
            throw new IllegalStateException("asetkey did not write " + serverConfigDir().resolve("KeyFile"));
        }
        if (!options.auth()) {
            return;
        }
        byte[] aes = new byte[32];
        random.nextBytes(aes);
        String realm = CELL_NAME.toUpperCase(java.util.Locale.ROOT);
        Path keytab = stateDir.resolve("afs.keytab");
        try {
            Files.write(keytab, keytab(List.of("afs", CELL_NAME), realm, KVNO, AES256_CTS_HMAC_SHA1_96, aes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + keytab, e);
        }
        run(CLIENT, "/usr/sbin/asetkey", "add", "rxkad_krb5", String.valueOf(KVNO),
                String.valueOf(AES256_CTS_HMAC_SHA1_96), keytab.toString(), "afs/" + CELL_NAME + "@" + realm).orFail();
        if (sizeOf(serverConfigDir().resolve("KeyFileExt")) < 40) {
            throw new IllegalStateException("asetkey did not put the AES key into " + serverConfigDir().resolve("KeyFileExt"));
        }
    }

    /** Kerberos enctype aes256-cts-hmac-sha1-96 (RFC 3962). */
    static final int AES256_CTS_HMAC_SHA1_96 = 18;

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * One-entry MIT keytab, file format version 0x0502 (big-endian): the entry length, the component count,
     * the realm and components as 16-bit-counted strings, name type 1 (KRB5_NT_PRINCIPAL), a timestamp, the
     * 8-bit kvno, the key (16-bit enctype, counted key bytes), then the 32-bit kvno.
     */
    static byte[] keytab(List<String> components, String realm, int kvno, int enctype, byte[] key) {
        java.io.ByteArrayOutputStream entry = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream e = new java.io.DataOutputStream(entry);
        try {
            e.writeShort(components.size());
            writeCounted(e, realm.getBytes(StandardCharsets.US_ASCII));
            for (String c : components) {
                writeCounted(e, c.getBytes(StandardCharsets.US_ASCII));
            }
            e.writeInt(1);
            e.writeInt((int) (System.currentTimeMillis() / 1000));
            e.writeByte(kvno);
            e.writeShort(enctype);
            writeCounted(e, key);
            e.writeInt(kvno);
            java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream f = new java.io.DataOutputStream(file);
            f.writeShort(0x0502);
            f.writeInt(entry.size());
            f.write(entry.toByteArray());
            return file.toByteArray();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static void writeCounted(java.io.DataOutputStream out, byte[] b) throws IOException {
        out.writeShort(b.length);
        out.write(b);
    }

    /**
     * Waits until both databases accept writes. udebug shows "I am sync site" and reads work a few seconds
     * before ubik has labelled the database; a fileserver started then gets UNOQUORUM from VL_RegisterAddrs and
     * retries only 5 minutes later (G4). "Recovery state 1f" is the state in which writes are accepted.
     */
    private void awaitDatabases() {
        String db = addressString(DB);
        await("vlserver and ptserver quorum (udebug 'Recovery state 1f', vos listvldb, pts examine)",
                QUORUM_TIMEOUT, () ->
                        run(CLIENT, "udebug", "-server", db, "-port", String.valueOf(VLSERVER_PORT))
                                .stdout().contains("Recovery state 1f")
                        && run(CLIENT, "udebug", "-server", db, "-port", String.valueOf(PTSERVER_PORT))
                                .stdout().contains("Recovery state 1f")
                        && run(CLIENT, "vos", "listvldb", authArg()).ok()
                        && run(CLIENT, "pts", "examine", "system:anyuser", authArg()).ok());
    }

    /** Waits until every started fileserver is in {@code vos listaddrs} and its volserver answers. */
    private void awaitRegistration() {
        List<String> fileservers = fileserverNodes();
        await("fileserver registration in the VLDB (vos listaddrs)", REGISTRATION_TIMEOUT, () -> {
            ExecResult r = run(CLIENT, "vos", "listaddrs", "-noresolve", authArg());
            if (!r.ok()) {
                return false;
            }
            List<String> lines = r.stdout().lines().map(String::trim).toList();
            return fileservers.stream().allMatch(fs -> lines.contains(addressString(fs)));
        });
        for (String fs : fileservers) {
            await("volserver on " + fs + " (vos listpart)", REGISTRATION_TIMEOUT,
                    () -> run(CLIENT, "vos", "listpart", addressString(fs), authArg()).ok());
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Daemon d : stockDaemons) {
                if (!d.process().isAlive()) {
                    throw new IllegalStateException(d.describe() + " exited with status "
                            + d.process().exitValue() + " while waiting for " + what);
                }
            }
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    private static boolean fileContains(Path file, String text) {
        try {
            return Files.isRegularFile(file)
                    && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private Daemon spawnDaemon(String node, String name, List<String> cmd) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("daemon name must be usable as a file name: " + name);
        }
        Path log = logDir(node).resolve(name + ".out");
        ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
        Process p = launch(node, cmd, toLog, toLog);
        String program = Path.of(cmd.get(0)).getFileName().toString();
        // a stock fileserver only logs its open files on SIGTERM; SIGQUIT is its clean shutdown (G8)
        boolean quit = program.equals("fileserver") || program.equals("dafileserver");
        return new Daemon(node, name, p, quit);
    }

    private Process launch(String node, List<String> cmd, ProcessBuilder.Redirect out, ProcessBuilder.Redirect err) {
        List<String> full = new ArrayList<>(List.of(UNSHARE, "--mount", "--uts", "--propagation", "private", "--",
                "/bin/sh", nodeScript.toString(), stateDir.toString(), node));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null"))).redirectOutput(out).redirectError(err).directory(stateDir.toFile());
        String path = pb.environment().get("PATH");
        pb.environment().put("PATH", path == null || path.isEmpty() ? SEARCH_PATH : SEARCH_PATH + ":" + path);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd + " on " + node, e);
        }
    }

    // ------------------------------------------------------------------ teardown

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cell is closed: " + this);
        }
    }

    private static synchronized void installHook() {
        if (hookInstalled) {
            return;
        }
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<RealCell> cells;
            synchronized (RealCell.class) {
                cells = new ArrayList<>(OPEN);
            }
            for (RealCell cell : cells) {
                cell.shutdown();
            }
        }, "realcell-shutdown"));
    }

    private void shutdown() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long t0 = System.nanoTime();
        List<Daemon> tests;
        synchronized (testDaemons) {
            tests = new ArrayList<>(testDaemons);
            testDaemons.clear();
        }
        Collections.reverse(tests);
        for (Daemon d : tests) {
            stopGroup(List.of(d));
        }
        stopGroup(stockDaemons.stream().filter(d -> d.name().equals("volserver")).toList());
        stopGroup(stockDaemons.stream().filter(d -> d.name().equals("fileserver")).toList());
        stopGroup(stockDaemons.stream().filter(d -> !d.name().equals("volserver") && !d.name().equals("fileserver"))
                .toList());
        synchronized (RealCell.class) {
            OPEN.remove(this);
        }
        LOG.log(Level.INFO, "cell {0} stopped in {1} ms", stateDir.getFileName(), (System.nanoTime() - t0) / 1_000_000);
        if (System.getenv(KEEP_ENV) != null) {
            System.err.println("realcell: " + KEEP_ENV + " is set; state of cell kept in " + stateDir);
        } else {
            deleteTree(stateDir);
        }
    }

    /** Signals every daemon of the group at once, waits up to the grace period, then kills what is left. */
    private void stopGroup(List<Daemon> group) {
        Map<Daemon, List<ProcessHandle>> trees = new LinkedHashMap<>();
        for (Daemon d : group) {
            List<ProcessHandle> tree = new ArrayList<>(d.process().descendants().toList());
            tree.add(0, d.process().toHandle());
            trees.put(d, tree);
            if (!d.process().isAlive()) {
                continue;
            }
            if (d.quitToStop()) {
                signal("QUIT", d.process().pid());
            } else {
                d.process().destroy();
            }
            for (ProcessHandle child : tree.subList(1, tree.size())) {
                child.destroy();
            }
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Map.Entry<Daemon, List<ProcessHandle>> e : trees.entrySet()) {
            for (ProcessHandle h : e.getValue()) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception timeoutOrInterrupt) {
                    LOG.log(Level.WARNING, "{0}: pid {1} still running after {2} s, sending SIGKILL",
                            e.getKey().describe(), h.pid(), STOP_GRACE.toSeconds());
                    h.destroyForcibly();
                }
            }
        }
        for (Map.Entry<Daemon, List<ProcessHandle>> e : trees.entrySet()) {
            try {
                e.getKey().process().waitFor(10, TimeUnit.SECONDS);
                for (ProcessHandle h : e.getValue()) {
                    h.onExit().get(10, TimeUnit.SECONDS);
                }
            } catch (Exception ex) {
                LOG.log(Level.ERROR, "{0} did not end even after SIGKILL", e.getKey().describe());
            }
        }
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("/bin/kill", "-s", signal, String.valueOf(pid))
                    .redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot send SIG" + signal + " to " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete cell state " + root, e);
        }
    }

    /** The last lines of every server log of the nodes, for a start-up failure message. */
    private String logTails() {
        StringBuilder sb = new StringBuilder();
        for (String node : HOST_BYTES.keySet()) {
            Path dir = logDir(node);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (var files = Files.list(dir)) {
                for (Path log : files.sorted().toList()) {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                    if (lines.isEmpty()) {
                        continue;
                    }
                    sb.append("\n---- ").append(node).append(": ").append(log.getFileName())
                            .append(" (last ").append(Math.min(LOG_TAIL_LINES, lines.size())).append(" lines) ----\n");
                    lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                            .forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException e) {
                sb.append("\n(cannot read logs of ").append(node).append(": ").append(e.getMessage()).append(')');
            }
        }
        return sb.toString();
    }
}
