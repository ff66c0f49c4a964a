package afsdr.partition.dir;

/**
 * One name in an AFS directory: the name and the fid (vnode, uniquifier) it refers to.
 *
 * @param blob global entry number of the entry's first blob (page * 64 + index), as in the hash chains
 */
public record DirEntry(String name, int vnode, int unique, int blob) {
}
