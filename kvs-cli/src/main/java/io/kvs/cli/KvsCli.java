package io.kvs.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import io.kvs.cli.ClusterClient.Answer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code kvs}: the command-line client. Exit status 0 on success, 1 for a key that does not
 * exist, 2 for any other error (a usage error too).
 */
@Command(name = "kvs", mixinStandardHelpOptions = true, version = "kvs 0.1.0",
        description = "A client of a kvs cluster: keys, the cluster's status, view changes.",
        subcommands = {KvsCli.Put.class, KvsCli.Get.class, KvsCli.Delete.class, KvsCli.Status.class,
                KvsCli.View.class})
public final class KvsCli {
    static final int NOT_FOUND = 1;
    static final int ERROR = 2;
    private static final Duration KEY_TIMEOUT = Duration.ofSeconds(30);
    /** A view change moves data: as long as the node lets it run. */
    private static final Duration VIEW_CHANGE_TIMEOUT = Duration.ofMinutes(30);
    private static final long PROGRESS_POLL_MILLIS = 500;

    @Option(names = "--endpoints", scope = ScopeType.INHERIT, split = ",", paramLabel = "HOST:PORT",
            defaultValue = "${env:KVS_ENDPOINTS:-127.0.0.11:8080}",
            description = "nodes to ask, in order; the next is tried when one is down or answers 503"
                    + " (default: $KVS_ENDPOINTS, else ${DEFAULT-VALUE})")
    List<String> endpoints;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "text",
            description = "text or json (the node's answer as it is)")
    Output output;

    @Option(names = "--session", scope = ScopeType.INHERIT, paramLabel = "FILE",
            defaultValue = "${env:KVS_SESSION:-${sys:user.home}/.kvs/session}",
            description = "where the causal payload of the last answer is kept, so that each command follows"
                    + " the ones before it (default: $KVS_SESSION, else ${DEFAULT-VALUE})")
    Path session;

    enum Output { text, json }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command; its exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new KvsCli());
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("kvs: " + (e instanceof CliException ? e.getMessage() : e.toString()));
            return ERROR;
        });
        return line.execute(args);
    }

    ClusterClient client() {
        return new ClusterClient(endpoints.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** What every command has: the options of {@code kvs}, its own output, and one way to print an answer. */
    abstract static class Subcommand implements Callable<Integer> {
        @ParentCommand
        KvsCli cli;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** Sends a request for {@code key} with the session's causal payload, and keeps the answer's. */
        Answer sendInSession(String method, String key, Map<String, String> form) {
            Session session = new Session(cli.session);
            Map<String, String> withPayload = new HashMap<>(form);
            withPayload.put("causal_payload", session.payload());
            Answer answer = cli.client().send(method, keyPath(key), withPayload, KEY_TIMEOUT);
            if (answer.isSuccess()) {
                session.save(answer.text("causal_payload"));
            }
            return answer;
        }

        /** Prints the answer as JSON or as {@code text} would have it; the exit status it means. */
        int print(Answer answer, String text) {
            PrintWriter out = spec.commandLine().getOut();
            if (cli.output == Output.json) {
                out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(answer.json()));
            } else if (answer.isSuccess()) {
                out.println(text);
            }
            if (answer.isSuccess()) {
                return 0;
            }
            spec.commandLine().getErr().println("kvs: " + answer.endpoint() + ": " + answer.error());
            return answer.status() == 404 ? NOT_FOUND : ERROR;
        }
    }

    private static String keyPath(String key) {
        return "/kv-store/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(name = "put", description = "Writes a value: created or updated, and the partition that holds it.")
    static final class Put extends Subcommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() {
            Answer answer = sendInSession("PUT", key, Map.of("val", value));
            return print(answer,
                    (answer.status() == 201 ? "created" : "updated") + " in partition " + answer.text("partition_id"));
        }
    }

    @Command(name = "get", description = "Reads a value (exit status 1 if the key does not exist).")
    static final class Get extends Subcommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            Answer answer = sendInSession("GET", key, Map.of());
            return print(answer, answer.text("value"));
        }
    }

    @Command(name = "delete", description = "Deletes a key (exit status 1 if it does not exist).")
    static final class Delete extends Subcommand {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            Answer answer = sendInSession("DELETE", key, Map.of());
            return print(answer, "deleted from partition " + answer.text("partition_id"));
        }
    }

    @Command(name = "status", description = "The cluster as a node sees it: nodes, partitions, members, leaders,"
            + " keys, hinted writes pending, the view epoch and any view change under way.")
    static final class Status extends Subcommand {

        @Override
        public Integer call() {
            Answer answer = cli.client().send("GET", "/status", Map.of(), KEY_TIMEOUT);
            String text = answer.isSuccess() ? StatusReport.render(answer.json()).stripTrailing() : "";
            return print(answer, text);
        }
    }

    @Command(name = "view", description = "Adds a node to the view or removes one, showing the data moved while it runs.")
    static final class View extends Subcommand {
        @Parameters(index = "0", paramLabel = "add|remove")
        String type;
        @Parameters(index = "1", paramLabel = "IP:PORT")
        String node;

        @Override
        public Integer call() throws InterruptedException {
            if (!Arrays.asList("add", "remove").contains(type)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "add or remove, not '" + type + "'");
            }
            ClusterClient client = cli.client();
            CompletableFuture<Answer> change = CompletableFuture.supplyAsync(() -> client.sendOnce("PUT",
                    "/kv-store/update_view?type=" + type, Map.of("ip_port", node), VIEW_CHANGE_TIMEOUT));
            PrintWriter err = spec.commandLine().getErr();
            String shown = null;
            while (true) {
                try {
                    Answer answer = change.get(PROGRESS_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    String text = type.equals("add")
                            ? "added " + node + " (partition " + answer.text("partition_id") + "), "
                            + answer.text("number_of_partitions") + " partitions"
                            : "removed " + node + ", " + answer.text("number_of_partitions") + " partitions";
                    return print(answer, text);
                } catch (TimeoutException stillRunning) {
                    String progress = progress(client);
                    if (progress != null && !progress.equals(shown)) {
                        err.println(progress);
                        shown = progress;
                    }
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof CliException c ? c : new CliException(e.getCause().toString());
                }
            }
        }

        /** The change under way as a progress bar, or null when there is none to show. */
        private static String progress(ClusterClient client) {
            try {
                Answer status = client.send("GET", "/status", Map.of(), Duration.ofSeconds(2));
                JsonElement change = status.isSuccess() ? status.json().get("change") : null;
                return change == null || change.isJsonNull() ? null : ProgressBar.of(change.getAsJsonObject());
            } catch (CliException e) {
                return null; // the change's own answer says what failed
            }
        }
    }
}
