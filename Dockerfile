# kvs node image: build the runnable jar with Maven, run it on a JRE as a non-root user.
#
#   docker build -t kvs .
#   docker run -p 8081:8080 --net=mynet --ip=10.0.0.21 -e K=2 \
#     -e VIEW=10.0.0.21:8080,10.0.0.22:8080,10.0.0.23:8080,10.0.0.24:8080 \
#     -e IPPORT=10.0.0.21:8080 kvs

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY kvs-core/pom.xml kvs-core/
COPY kvs-raft/pom.xml kvs-raft/
COPY kvs-http/pom.xml kvs-http/
COPY kvs-cli/pom.xml kvs-cli/
# The load generator is a module of the build, not part of the image: its pom only.
COPY kvs-bench/pom.xml kvs-bench/
COPY kvs-core/src kvs-core/src
COPY kvs-raft/src kvs-raft/src
COPY kvs-http/src kvs-http/src
COPY kvs-cli/src kvs-cli/src
RUN mvn -B -q -DskipTests -pl kvs-http,kvs-cli -am package

FROM eclipse-temurin:17-jre
# Configuration is the contract's environment (K, VIEW, IPPORT, DATA_DIR); the rest has
# container defaults: listen on every interface, keep data in the /data volume. The heap is
# sized as ./kvs-local sizes it, up to 60% of the container's memory, and C2 inlines as there (the
# reasons are there); a node whose heap is exhausted exits (status 3), for its restart policy to
# start it again.
ENV BIND_ADDRESS=0.0.0.0 \
    DATA_DIR=/data \
    JAVA_OPTS="-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=60 -XX:MinHeapFreeRatio=60 -XX:MaxHeapFreeRatio=90 -XX:+ExitOnOutOfMemoryError -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000 -XX:MaxInlineLevel=9"
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home kvs \
 && mkdir -p /app /data && chown kvs:kvs /data
COPY --from=build /src/kvs-http/target/kvs.jar /app/kvs.jar
# The command-line client: `docker exec <container> kvs status`.
COPY --from=build /src/kvs-cli/target/kvs-cli.jar /app/kvs-cli.jar
ENV KVS_ENDPOINTS=127.0.0.1:8080 \
    KVS_SESSION=/tmp/kvs-session
RUN printf '#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -jar /app/kvs-cli.jar "$@"\n' \
      >/usr/local/bin/kvs && chmod +x /usr/local/bin/kvs
# A class data sharing archive from a training run (a one-node cluster that serves a write, then
# exits): a node maps the classes it needs from it instead of loading each from the jar, which
# nearly halves its start-up on a loaded machine.
RUN java $JAVA_OPTS -XX:ArchiveClassesAtExit=/app/kvs.jsa -cp /app/kvs.jar io.kvs.http.ClassArchiveTraining
USER kvs
VOLUME ["/data"]
EXPOSE 8080
# Healthy once the node is ready: it knows its view, and its partition's group (a proxy: the
# metadata group) has a leader. A node waiting to be added is not, until it is added.
HEALTHCHECK --interval=5s --timeout=2s --start-period=20s --retries=3 \
  CMD curl -sf -o /dev/null -m 2 http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java -XX:SharedArchiveFile=/app/kvs.jsa $JAVA_OPTS -jar /app/kvs.jar"]
