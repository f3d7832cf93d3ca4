package io.kvs.cli;

import com.google.gson.JsonObject;

/** A view change under way as one line: a bar of the slots moved, the keys moved, and its step. */
final class ProgressBar {
    private static final int WIDTH = 30;

    private ProgressBar() {
    }

    static String of(JsonObject change) {
        String step = "step " + change.get("step").getAsString();
        if (!change.has("progress")) {
            return step;
        }
        JsonObject progress = change.getAsJsonObject("progress");
        long total = progress.get("slots_to_move").getAsLong();
        long moved = progress.get("slots_moved").getAsLong();
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, moved * WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + moved + "/" + total + " slots, "
                + progress.get("keys_moved").getAsLong() + " keys moved, " + step;
    }
}
