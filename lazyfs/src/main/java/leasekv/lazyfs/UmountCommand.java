package leasekv.lazyfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code lazyfs umount --mount DIR}: cleans up a live or dead mount. */
final class UmountCommand {
    private UmountCommand() {
    }

    static int run(List<String> argv) {
        try {
            Args args = Args.parse(argv, Set.of("--mount"), Set.of());
            if (!args.words.isEmpty()) {
                throw new Args.UsageException("unexpected argument " + args.words.get(0));
            }
            Path mount = Path.of(args.required("--mount")).toAbsolutePath().normalize();
            System.out.println("ok " + Unmounter.unmount(mount) + " " + mount);
            return 0;
        } catch (Args.UsageException e) {
            System.out.println("error " + e.getMessage() + "\n" + Main.USAGE);
            return 2;
        } catch (IOException e) {
            System.out.println("error " + e.getMessage());
            return 1;
        }
    }
}
