package afsdr.partition;

import java.nio.file.Path;

/**
 * A discovered vice partition.
 *
 * @param name   "/vicepa" (the name the volserver reports, independent of the discovery root)
 * @param id     partition id (a = 0 ... iv = 254)
 * @param path   the directory on this machine
 * @param device the mount source from /proc/mounts, "" for an AlwaysAttach directory
 */
public record VicePartition(String name, int id, Path path, String device) {
}
