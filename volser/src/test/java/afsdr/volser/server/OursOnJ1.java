package afsdr.volser.server;

import afsdr.realcell.RealCell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our volserver started in-process as node j1 of a RealCell: bound by -rxbind to j1's NetInfo
 * address, reading the cell's server configuration and j1's local folder, serving j1's /vicepa plus
 * a /vicepb made here, so that its partitions match those of the stock fs1.
 */
final class OursOnJ1 {
    private OursOnJ1() {
    }

    /** Starts it; {@code logName} names the VolserLog file in j1's log folder; extra switches follow. */
    static Volserver start(RealCell cell, String logName, String... extra) throws Exception {
        Path partA = cell.partitionDir(RealCell.J1, "a");
        Path root = partA.getParent();
        Path partB = Files.createDirectories(root.resolve("vicepb"));
        Files.writeString(partB.resolve("AlwaysAttach"), "");
        Files.writeString(partA.resolve("AlwaysAttach"), "");
        List<String> args = new ArrayList<>(List.of("-rxbind", "-log",
            "-config", cell.serverConfigDir().toString(),
            "-local-dir", cell.localDir(RealCell.J1).toString(),
            "-partition-root", root.toString(),
            "-logfile", cell.logDir(RealCell.J1).resolve(logName).toString()));
        args.addAll(List.of(extra));
        return Volserver.start(VolserverOptions.parse(args.toArray(String[]::new)));
    }
}
