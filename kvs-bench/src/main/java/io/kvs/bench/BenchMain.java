package io.kvs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The load generator's entry point: runs one workload against kvs or etcd and prints its result
 * as one JSON line ({@link BenchOptions} has the options), or renders result lines as Markdown
 * ({@code table results.jsonl}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        try {
            if (args.length == 2 && args[0].equals("table")) {
                System.out.print(table(Path.of(args[1])));
                return;
            }
            BenchOptions options = BenchOptions.parse(args);
            Target target = options.target().equals("kvs") ? new KvsTarget() : new EtcdTarget();
            System.out.println(new LoadGenerator(options, target).run().toJson());
        } catch (IllegalArgumentException e) {
            System.err.println("kvs-bench: " + e.getMessage());
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
        }
    }

    static String table(Path results) throws IOException {
        List<RunResult> runs = Files.readAllLines(results).stream().filter(l -> !l.isBlank())
                .map(RunResult::fromJson).toList();
        return new ResultTable(runs).render();
    }
}
