package afsdr.volser.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import afsdr.partition.NameiPartition;
import afsdr.partition.Volume;
import afsdr.partition.VolumeDiskData;
import afsdr.partition.VolumeTree;
import afsdr.realcell.ExecResult;
import afsdr.realcell.RealCell;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInfo;

/**
 * The set-up the scenarios comparing our volserver (j1) with stock volservers share: the cell of the
 * running class's {@link AuthMode} (its {@link InMode}, else noauth), our server started on j1, a
 * {@link TransferFixture} for the data (or the scenario's own, {@link #start}), and vos commands that undo what the scenario made, run at
 * the end whatever happened. One scenario class runs at a time; {@link #begin} resets the state a
 * class before it (another scenario, or the same one in another mode) left behind.
 */
abstract class OursAndStockInterop {
    static AuthMode mode;
    static RealCell cell;
    static Volserver ours;
    static TransferFixture fx;
    /** vos commands (credentials added) run in order by {@link #end}. */
    static final List<String[]> cleanup = new ArrayList<>();

    /**
     * Called first by each scenario's {@code @BeforeAll}.
     *
     * @param volserLog file name of our server's VolserLog on j1
     * @param tag       names the fixture's work folder
     * @param idBase    the fixture volume's id
     */
    static void begin(TestInfo info, String volserLog, String tag, int idBase) throws Exception {
        start(AuthMode.of(info.getTestClass()), volserLog);
        fx = new TransferFixture(mode, tag, idBase);
    }

    /**
     * Starts our server on j1 in mode {@code m}, without a fixture: for scenarios that make their own
     * data. Called first by such a scenario's {@code @BeforeAll}.
     */
    static void start(AuthMode m, String volserLog) throws Exception {
        ours = null;
        fx = null;
        cleanup.clear();
        mode = m;
        cell = m.cell();
        ours = OursOnJ1.start(cell, volserLog, mode.serverArgs.toArray(String[]::new));
    }

    @AfterAll
    static void end() throws Exception {
        try {
            for (String[] c : cleanup) {
                vos(c);
            }
            cleanup.clear();
        } finally {
            try {
                if (fx != null) {
                    fx.close();
                }
            } finally {
                if (ours != null) {
                    ours.close();
                }
            }
        }
    }

    /** Stock vos on the client node, with the credentials of the mode. */
    static ExecResult vos(String... args) {
        return cell.vos(mode.vos(args));
    }

    /**
     * Makes a read-write volume straight on our partition /vicepb (partition-io, no RPC) whose root
     * holds files "file0".. of random bytes from {@code seed}, of {@code first}, {@code first + step}..
     * bytes, and whatever {@code more} adds; zapped at the end.
     */
    static void makeVolumeOnB(int id, String name, long seed, int files, int first, int step, TreeWork more)
            throws IOException {
        try (Volume v = VolumeTree.createVolumeWithRoot(partition("/vicepb"), id, id, name, VolumeDiskData.RW)) {
            VolumeTree t = new VolumeTree(v);
            Random r = new Random(seed);
            for (int i = 0; i < files; i++) {
                byte[] data = new byte[first + step * i];
                r.nextBytes(data);
                t.createFile(VolumeTree.ROOT_VNODE, "file" + i, data);
            }
            more.add(t);
            t.flush();
        }
        cleanup.add(new String[] {"zap", "-server", j1(), "-partition", "b", "-id", Integer.toString(id)});
    }

    @FunctionalInterface
    interface TreeWork {
        void add(VolumeTree t) throws IOException;
    }

    /** Our server's partition {@code name} ("/vicepa"). */
    static NameiPartition partition(String name) {
        return ours.partitions().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    static String host(String node) {
        return cell.host(node);
    }

    static String fs1() {
        return host(RealCell.FS1);
    }

    static String fs2() {
        return host(RealCell.FS2);
    }

    static String j1() {
        return host(RealCell.J1);
    }

    /**
     * One side of a comparison: what the placeholders in vos arguments stand for on it, and how its
     * output is made comparable with the other side's.
     */
    record Side(Map<String, String> placeholders, UnaryOperator<String> norm) {
        String[] fill(String... args) {
            String[] a = new String[args.length];
            for (int i = 0; i < args.length; i++) {
                String t = args[i];
                for (Map.Entry<String, String> p : placeholders.entrySet()) {
                    t = t.replace(p.getKey(), p.getValue());
                }
                a[i] = t;
            }
            return a;
        }
    }

    /**
     * Runs vos on our side, then on the stock reference; asserts that both succeed alike with the same
     * normalised output (stdout and stderr together); returns {ours, stock}.
     */
    static ExecResult[] compare(Side oursSide, Side stockSide, String... args) {
        ExecResult[] r = {fx.vos(oursSide.fill(args)), fx.vos(stockSide.fill(args))};
        assertEquals(r[1].exitCode(), r[0].exitCode(), "exit code\nours: " + r[0] + "\nstock: " + r[1]);
        assertEquals(0, r[0].exitCode(), r[0].toString());
        assertEquals(stockSide.norm().apply(r[1].stdout() + r[1].stderr()),
            oursSide.norm().apply(r[0].stdout() + r[0].stderr()), "output of vos " + String.join(" ", args));
        return r;
    }
}
