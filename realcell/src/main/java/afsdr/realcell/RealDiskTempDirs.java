package afsdr.realcell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temp folders under the module's target/ (the real disk, so O_DIRECT and fsync are exercised) rather
 * than java.io.tmpdir, which may be tmpfs. Use as {@code @TempDir(factory = RealDiskTempDirs.class)}.
 */
public final class RealDiskTempDirs implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext ctx) throws IOException {
        Path base = Path.of("target", "test-tmp").toAbsolutePath();
        Files.createDirectories(base);
        return Files.createTempDirectory(base, "t");
    }
}
