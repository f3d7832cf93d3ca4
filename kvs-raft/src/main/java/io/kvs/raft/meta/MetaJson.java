package io.kvs.raft.meta;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.SlotTable;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * JSON for the metadata group's log entries and snapshots: small, rare, and readable in a log
 * dump. Each command and state carries its format ({@code "v"}; one written before there was a
 * field is format 1), and a command is named by a tag of its own, fixed here: renaming a class
 * changes nothing on disk. A format this node does not know is refused, not guessed at.
 */
public final class MetaJson {
    static final int FORMAT = 1;
    /** Each command's tag. The values are those of the first version (then the classes' names): never change one. */
    private static final Map<String, Class<? extends MetaCommand>> TAGS = Map.of(
            "Init", MetaCommand.Init.class,
            "BeginChange", MetaCommand.BeginChange.class,
            "AdvanceChange", MetaCommand.AdvanceChange.class,
            "CommitChange", MetaCommand.CommitChange.class,
            "FinishChange", MetaCommand.FinishChange.class,
            "AbortChange", MetaCommand.AbortChange.class,
            "SetPayloadKey", MetaCommand.SetPayloadKey.class,
            "TakeOver", MetaCommand.TakeOver.class);

    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(NodeAddress.class, new NodeAddressAdapter().nullSafe())
            .registerTypeAdapter(SlotTable.class, new SlotTableAdapter().nullSafe())
            .disableHtmlEscaping()
            .create();

    private MetaJson() {
    }

    public static String encode(MetaCommand command) {
        String tag = TAGS.entrySet().stream().filter(e -> e.getValue() == command.getClass()).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no tag for " + command.getClass()));
        JsonObject wrapper = new JsonObject();
        wrapper.addProperty("v", FORMAT);
        wrapper.addProperty("type", tag);
        wrapper.add("body", GSON.toJsonTree(command));
        return GSON.toJson(wrapper);
    }

    public static MetaCommand decodeCommand(String json) {
        JsonObject wrapper = GSON.fromJson(json, JsonObject.class);
        checkFormat(wrapper, "command");
        String type = wrapper.get("type").getAsString();
        Class<? extends MetaCommand> kind = TAGS.get(type);
        if (kind == null) {
            throw new IllegalArgumentException("unknown metadata command " + type);
        }
        return GSON.fromJson(wrapper.get("body"), kind);
    }

    public static String encode(ClusterState state) {
        JsonObject json = GSON.toJsonTree(state).getAsJsonObject();
        json.addProperty("v", FORMAT);
        return GSON.toJson(json);
    }

    public static ClusterState decodeState(String json) {
        JsonObject object = GSON.fromJson(json, JsonObject.class);
        checkFormat(object, "cluster state");
        object.remove("v");
        return GSON.fromJson(object, ClusterState.class);
    }

    private static void checkFormat(JsonObject json, String what) {
        int format = json.has("v") ? json.get("v").getAsInt() : 1;
        if (format != FORMAT) {
            throw new IllegalArgumentException("a metadata " + what + " of format " + format + "; this node reads format "
                    + FORMAT);
        }
    }

    private static final class NodeAddressAdapter extends TypeAdapter<NodeAddress> {
        @Override
        public void write(JsonWriter out, NodeAddress value) throws IOException {
            out.value(value.toString());
        }

        @Override
        public NodeAddress read(JsonReader in) throws IOException {
            return NodeAddress.parse(in.nextString());
        }
    }

    /**
     * Slot owners run-length encoded as {@code [[partition, count], ...]}: partitions own long
     * runs of consecutive slots, so a table of thousands of slots takes a few dozen numbers.
     */
    private static final class SlotTableAdapter extends TypeAdapter<SlotTable> {
        @Override
        public void write(JsonWriter out, SlotTable value) throws IOException {
            int[] owners = value.toArray();
            out.beginArray();
            for (int start = 0; start < owners.length; ) {
                int end = start;
                while (end < owners.length && owners[end] == owners[start]) {
                    end++;
                }
                out.beginArray().value(owners[start]).value(end - start).endArray();
                start = end;
            }
            out.endArray();
        }

        @Override
        public SlotTable read(JsonReader in) throws IOException {
            int[] owners = new int[KeySlots.SLOT_COUNT];
            int filled = 0;
            in.beginArray();
            while (in.hasNext()) {
                in.beginArray();
                int owner = in.nextInt();
                int count = in.nextInt();
                in.endArray();
                if (owner < 0 || count < 1 || count > owners.length - filled) {
                    throw new IOException("slot table run [" + owner + ", " + count + "] after " + filled + " slots");
                }
                Arrays.fill(owners, filled, filled + count, owner);
                filled += count;
            }
            in.endArray();
            if (filled != owners.length) {
                throw new IOException("slot table names " + filled + " slots, not " + owners.length);
            }
            return SlotTable.of(owners);
        }
    }
}
