package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;

/** A node's identity: the {@code ip:port} its HTTP API listens on, as written in {@code VIEW}. */
public record NodeAddress(String host, int port) {

    public NodeAddress {
        if (host == null || host.isEmpty() || host.contains(":") || host.contains(",")) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port, got host '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port with a port in 1..65535");
        }
    }

    /** Parses {@code host:port}; anything else is a {@link ErrorCode#BAD_REQUEST}. */
    public static NodeAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port is missing");
        }
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port, got '" + trimmed + "'");
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "ip_port must be host:port, got '" + trimmed + "'");
        }
        return new NodeAddress(trimmed.substring(0, colon), port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
