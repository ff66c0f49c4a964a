package afsdr.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Temp folders under target/ (the real disk) rather than java.io.tmpdir, which may be tmpfs. */
public final class RealDiskTempDirs implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext ctx) throws IOException {
        Path base = Path.of("target", "test-tmp").toAbsolutePath();
        Files.createDirectories(base);
        return Files.createTempDirectory(base, "t");
    }
}
