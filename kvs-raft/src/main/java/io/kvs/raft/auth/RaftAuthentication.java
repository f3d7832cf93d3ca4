package io.kvs.raft.auth;

import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.Channel;
import org.apache.ratis.thirdparty.io.grpc.ClientCall;
import org.apache.ratis.thirdparty.io.grpc.ClientInterceptor;
import org.apache.ratis.thirdparty.io.grpc.ForwardingClientCall;
import org.apache.ratis.thirdparty.io.grpc.InternalConfigurator;
import org.apache.ratis.thirdparty.io.grpc.InternalConfiguratorRegistry;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Authenticates Raft traffic with the {@link ClusterSecret}: every gRPC call a node makes (Raft
 * between servers, client requests, group administration) carries a token in a header, and a
 * node's Raft server refuses a call without a valid one (UNAUTHENTICATED) before Ratis sees it.
 *
 * <p>The server side is an interceptor of Ratis' services ({@link #serverCheck}). Ratis has no such hook for the channels it
 * opens itself, so the client side is registered with Ratis' (shaded) gRPC for the whole JVM,
 * once, before the first channel: a JVM runs one node, with one secret.
 */
public final class RaftAuthentication {
    private static final Logger LOG = LoggerFactory.getLogger(RaftAuthentication.class);
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("x-kvs-auth", Metadata.ASCII_STRING_MARSHALLER);
    private static ClusterSecret installed;

    private RaftAuthentication() {
    }

    /** The check a Raft server's gRPC services make: calls without a token of {@code secret} are refused. */
    public static ServerInterceptor serverCheck(ClusterSecret secret) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                String method = call.getMethodDescriptor().getFullMethodName();
                if (!secret.accepts(headers.get(TOKEN), method)) {
                    LOG.debug("refused an unauthenticated Raft call to {}", method);
                    call.close(Status.UNAUTHENTICATED.withDescription("this cluster requires its secret"),
                            new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, headers);
            }
        };
    }

    /**
     * Makes every gRPC channel Ratis opens in this JVM from now on send tokens of {@code secret}.
     * Done once; again with the same secret it does nothing, with another it fails.
     */
    public static synchronized void authenticateOutgoingCalls(ClusterSecret secret) {
        if (installed != null) {
            if (installed != secret) {
                throw new IllegalStateException("this JVM's Raft calls already carry another cluster's secret");
            }
            return;
        }
        ClientInterceptor sign = new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        headers.put(TOKEN, secret.token(method.getFullMethodName()));
                        super.start(listener, headers);
                    }
                };
            }
        };
        InternalConfiguratorRegistry.setConfigurators(List.of(new InternalConfigurator() {
            @Override
            public void configureChannelBuilder(ManagedChannelBuilder<?> builder) {
                builder.intercept(sign);
            }
        }));
        installed = secret;
    }
}
