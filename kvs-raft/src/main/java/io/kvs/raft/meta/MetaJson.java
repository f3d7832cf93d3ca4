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

/** JSON for the metadata group's log entries and snapshots: small, rare, and readable in a log dump. */
public final class MetaJson {
    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(NodeAddress.class, new NodeAddressAdapter().nullSafe())
            .registerTypeAdapter(SlotTable.class, new SlotTableAdapter().nullSafe())
            .disableHtmlEscaping()
            .create();

    private MetaJson() {
    }

    public static String encode(MetaCommand command) {
        JsonObject wrapper = new JsonObject();
        wrapper.addProperty("type", command.getClass().getSimpleName());
        wrapper.add("body", GSON.toJsonTree(command));
        return GSON.toJson(wrapper);
    }

    public static MetaCommand decodeCommand(String json) {
        JsonObject wrapper = GSON.fromJson(json, JsonObject.class);
        String type = wrapper.get("type").getAsString();
        for (Class<?> kind : MetaCommand.class.getPermittedSubclasses()) {
            if (kind.getSimpleName().equals(type)) {
                return (MetaCommand) GSON.fromJson(wrapper.get("body"), kind);
            }
        }
        throw new IllegalArgumentException("unknown metadata command " + type);
    }

    public static String encode(ClusterState state) {
        return GSON.toJson(state);
    }

    public static ClusterState decodeState(String json) {
        return GSON.fromJson(json, ClusterState.class);
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
