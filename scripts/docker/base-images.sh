#!/usr/bin/env bash
# Build LOCAL stand-ins for the two public base images our Dockerfile names, so that it
# builds unchanged on machines that reach no image registry:
#
#   maven:3.9-eclipse-temurin-17   build stage: JDK 17 (jlink of the machine's JDK, all
#                                  modules), Maven 3.9 at /usr/share/maven, and a local
#                                  repository at /root/.m2/repository holding what the
#                                  project's build needs; Maven runs offline.
#   eclipse-temurin:17-jre         run stage: a jlink'ed JRE at /opt/java/openjdk.
#
# Both are root filesystems assembled from this machine's own files (binaries plus the
# shared libraries `ldd` names) and loaded with `docker import`. Shell tools in both:
# sh (dash), bash, curl, GNU wget, shadow's useradd/groupadd/usermod/userdel/groupdel,
# and busybox for the rest (coreutils, grep, sed, awk, tar, ps, nc, ip, su, ...).
# No package manager: apt-get does not exist.
#
# Usage: scripts/docker/base-images.sh [--force] [--only maven|jre] [--m2-repo DIR]
#                                      [--project DIR]
#   --force        rebuild even if the images exist
#   --only X       build just one of them
#   --m2-repo DIR  copy this Maven local repository into the maven image as is
#                  (env KVS_M2_REPO). Default: resolve a trimmed repository by running
#                  `dependency:go-offline` and `package -DskipTests` on a copy of the
#                  project's poms and sources with the image's own Maven, taking artifacts
#                  from ~/.m2/repository first and Maven Central for the rest. Without a
#                  pom.xml in the project, ~/.m2/repository is copied whole.
#   --project DIR  the project to resolve for (env KVS_PROJECT_DIR; default: this repo)
#
# An existing image is kept (a quick check) unless --force, the script's RECIPE number has
# changed, or -- for the maven image with a derived repository -- the project's pom.xml
# files changed since it was built (a new dependency would break an offline build).
#
# Other environment: KVS_DOCKER_STATE (engine state dir, default /tmp/kvs-docker; its
# socket is used when DOCKER_HOST is unset), KVS_BASE_WORK (scratch, default
# $KVS_DOCKER_STATE/base-images), KVS_JDK (default /usr/lib/jvm/java-17-openjdk-amd64),
# KVS_MAVEN_VERSION (default 3.9.11), KVS_JRE_MODULES (comma list, default below).
set -Eeuo pipefail
trap 'echo "base-images.sh: error: line $LINENO: $BASH_COMMAND" >&2' ERR

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${KVS_DOCKER_STATE:-/tmp/kvs-docker}"
WORK="${KVS_BASE_WORK:-$STATE/base-images}"
JDK="${KVS_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
MAVEN_VERSION="${KVS_MAVEN_VERSION:-3.9.11}"
PROJECT="${KVS_PROJECT_DIR:-$(cd "$HERE/../.." && pwd)}"
M2_REPO="${KVS_M2_REPO:-}"
HOST_M2="${HOME:-/root}/.m2/repository"

MAVEN_IMAGE="maven:3.9-eclipse-temurin-17"
JRE_IMAGE="eclipse-temurin:17-jre"
# Bump when the recipe changes so existing images get rebuilt.
RECIPE=4

# Generous on purpose: `jdeps --print-module-deps` on kvs.jar (Javalin/Jetty, Ratis with
# shaded gRPC/Netty) asks for java.base, java.compiler, java.desktop, java.instrument,
# java.naming, java.security.jgss, java.sql, jdk.management, jdk.unsupported; java.se
# covers every java.* module. Added: EC/PKCS11 crypto, DNS naming, zipfs, extended socket
# options, charsets, locale data, com.sun.net.httpserver, JFR, JMX agent, and jcmd (thread
# dumps of a stuck node: `docker exec <c> jcmd 1 Thread.print`).
JRE_MODULES="${KVS_JRE_MODULES:-java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,\
jdk.management,jdk.management.agent,jdk.management.jfr,jdk.jfr,jdk.jcmd,jdk.attach,\
jdk.naming.dns,jdk.zipfs,jdk.net,jdk.charsets,jdk.localedata,jdk.httpserver,\
jdk.security.auth,jdk.security.jgss}"

PATH_IN_IMAGE="/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '[base-images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

FORCE=0
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --only) ONLY="${2:?--only needs maven or jre}"; shift ;;
    --m2-repo) M2_REPO="${2:?--m2-repo needs a directory}"; shift ;;
    --project) PROJECT="${2:?--project needs a directory}"; shift ;;
    -h|--help) sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done
case "$ONLY" in ""|maven|jre) ;; *) die "--only takes maven or jre" ;; esac

# ----------------------------------------------------------------------------- engine

if [ -z "${DOCKER_HOST:-}" ] && [ ! -S /var/run/docker.sock ] && [ -S "$STATE/docker.sock" ]; then
  export DOCKER_HOST="unix://$STATE/docker.sock"
fi
timeout 20 docker info >/dev/null 2>&1 ||
  die "no Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}; first run: eval \"\$($HERE/engine.sh start)\""

# -------------------------------------------------------------------- skip or rebuild

image_label() {  # image label -> value, empty if the image or label is missing
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

poms_hash() {
  (cd "$PROJECT" && find . -name pom.xml -not -path '*/target/*' -not -path '*/.*/*' |
     LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -c1-16)
}

m2_source() {  # what the maven image's repository is made from, recorded as a label
  if [ -n "$M2_REPO" ]; then
    echo "dir:$M2_REPO"
  elif [ -f "$PROJECT/pom.xml" ]; then
    echo "project-poms:$(poms_hash)"
  else
    echo "dir:$HOST_M2"
  fi
}

needs_build() {  # image [expected m2 source]
  local image="$1" want_m2="${2:-}" have
  [ "$FORCE" = 1 ] && { log "$image: --force, rebuilding"; return 0; }
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    log "$image: not present, building"; return 0
  fi
  have="$(image_label "$image" kvs.base.recipe)"
  if [ "$have" != "$RECIPE" ]; then
    log "$image: made by recipe '${have:-none}', current is $RECIPE; rebuilding"; return 0
  fi
  if [ -n "$want_m2" ]; then
    have="$(image_label "$image" kvs.base.m2-source)"
    if [ "$have" != "$want_m2" ]; then
      log "$image: repository was made from '$have', now '$want_m2'; rebuilding"; return 0
    fi
  fi
  log "$image: present, skipping (use --force to rebuild)"
  return 1
}

# ------------------------------------------------------------------- host prerequisites

ensure_host_tools() {
  local pkgs=()
  [ -x "$JDK/bin/jlink" ] && [ -f "$JDK/jmods/java.base.jmod" ] || pkgs+=(openjdk-17-jdk-headless)
  # Debian's busybox (dynamic) would need its libraries; the static build needs nothing.
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || pkgs+=(busybox-static)
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  command -v wget >/dev/null 2>&1 || pkgs+=(wget)
  command -v useradd >/dev/null 2>&1 || pkgs+=(passwd)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  command -v file >/dev/null 2>&1 || pkgs=(file "${pkgs[@]}")
  [ ${#pkgs[@]} -eq 0 ] && return 0
  log "installing ${pkgs[*]} (apt-get)"
  mkdir -p "$WORK"
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "${pkgs[@]}"; } \
    >"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log" >&2; die "apt-get failed"; }
  [ -x "$JDK/bin/jlink" ] || die "no jlink in $JDK (set KVS_JDK)"
}

# ---------------------------------------------------------------- root file system

# Copy host files into the root at the same path, resolving symlinks to plain files.
# Library paths under /lib land in /usr/lib because the root is merged-/usr like Debian's.
put() {
  local root="$1" f
  shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L --preserve=mode "$f" "$root$f"
  done
}

# The shared libraries (and the loader) the given ELF files need, as host paths.
# "not found" entries are the JDK's own libraries (libjvm.so), found at run time through
# the launcher's RPATH, so they are skipped.
libs_of() {
  ldd "$@" 2>/dev/null | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }
    $1 ~ /^\// && $1 ~ /ld-linux/ { print $1 }' | sort -u
}

put_with_libs() {  # root host-binary...
  local root="$1"
  shift
  put "$root" "$@"
  mapfile -t libs < <(libs_of "$@")
  [ ${#libs[@]} -gt 0 ] && put "$root" "${libs[@]}"
  return 0
}

# Libraries for every ELF file already inside the root (e.g. a JDK tree).
add_libs_for_tree() {
  local root="$1" dir="$2" elfs=()
  mapfile -t elfs < <(find "$root$dir" -type f \( -name '*.so' -o -perm -u+x \) -print0 |
                      xargs -0 -r file | awk -F: '/ELF/ { print $1 }')
  [ ${#elfs[@]} -eq 0 ] && return 0
  mapfile -t libs < <(libs_of "${elfs[@]}")
  [ ${#libs[@]} -gt 0 ] && put "$root" "${libs[@]}"
  return 0
}

make_skeleton() {
  local root="$1" a
  rm -rf "$root"
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/local/bin,etc,root,home,tmp,var/tmp,run,proc,sys,dev,opt}
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp" "$root/var/tmp"; chmod 700 "$root/root"

  # Real tools first, so busybox's applets do not shadow them: bash, curl and wget as in
  # the official images (Debian's busybox 1.35 `wget -T N` segfaults), shadow's user tools
  # for `RUN useradd ...` (Debian's busybox has no adduser/addgroup). /bin/sh is dash, as
  # on Debian and Ubuntu: Debian's static busybox sh prefers its own applets to PATH, so
  # `sh -c 'wget ...'` (RUN, HEALTHCHECK) would never reach the real wget.
  put_with_libs "$root" /usr/bin/dash /usr/bin/bash /usr/bin/curl /usr/bin/wget \
    /usr/sbin/useradd /usr/sbin/groupadd /usr/sbin/usermod /usr/sbin/userdel /usr/sbin/groupdel
  ln -s dash "$root/usr/bin/sh"
  # Libraries loaded with dlopen(), which ldd cannot see: glibc's split-off stubs and NSS
  # modules (Maven's jansi wants libutil.so.1; Netty's native transports libdl, libpthread,
  # librt) and libgcc_s (pthread_cancel).
  local libdir lib
  libdir="$(dirname "$(libs_of /usr/bin/bash | grep '/libc\.so\.6$')")"
  for lib in libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 libresolv.so.2 libanl.so.1 \
             libnss_files.so.2 libnss_dns.so.2 libgcc_s.so.1; do
    [ -e "$libdir/$lib" ] && put "$root" "$libdir/$lib"
  done
  mkdir -p "$root/usr/lib/locale"
  cp -a /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && put "$root" /etc/ssl/certs/ca-certificates.crt
  put "$root" /etc/login.defs
  cp /bin/busybox "$root/usr/bin/busybox"
  for a in $(/bin/busybox --list-full); do
    case "$a" in */*) ;; *) continue ;; esac  # e.g. linuxrc
    # Merged /usr: bin/x and usr/bin/x are the same place.
    a="usr/${a#usr/}"
    [ -e "$root/$a" ] || [ -L "$root/$a" ] || ln -s /usr/bin/busybox "$root/$a"
  done

  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
staff:x:50:
users:x:100:
nogroup:x:65534:
EOF
  # useradd/groupadd update the shadow files and refuse to run without them.
  awk -F: '{ print $1 ":*:19000:0:99999:7:::" }' "$root/etc/passwd" >"$root/etc/shadow"
  awk -F: '{ print $1 ":*::" }' "$root/etc/group" >"$root/etc/gshadow"
  chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
  printf 'SHELL=/bin/sh\n' >"$root/etc/default-useradd.tmp"
  mkdir -p "$root/etc/default" "$root/etc/skel"
  mv "$root/etc/default-useradd.tmp" "$root/etc/default/useradd"
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
shadow: files
hosts:  files dns
EOF
  cat >"$root/etc/os-release" <<EOF
PRETTY_NAME="kvs local base image (files from $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release))"
ID=kvs-local
EOF
  # Docker bind-mounts these at run time; empty files keep `docker build` steps happy.
  : >"$root/etc/hosts"; : >"$root/etc/resolv.conf"; echo localhost >"$root/etc/hostname"
}

jlink_into() {  # root modules compress
  "$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$2" \
    --strip-debug --no-man-pages --compress="$3" --output "$1/opt/java/openjdk" \
    >"$WORK/jlink.log" 2>&1 || { cat "$WORK/jlink.log" >&2; die "jlink failed"; }
  # The default CDS archive the official builds ship: ~30% faster JVM start.
  "$1/opt/java/openjdk/bin/java" -Xshare:dump >/dev/null 2>&1 ||
    log "warning: CDS archive not generated"
  add_libs_for_tree "$1" /opt/java/openjdk
}

java_version_tag() {  # e.g. jdk-17.0.15+6, as JAVA_VERSION in the official images
  "$JDK/bin/java" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.runtime.version/ { print "jdk-" $2 }' | sed 's/-Debian.*//; s/-deb.*//'
}

import_root() {  # root image change...
  local root="$1" image="$2"
  shift 2
  local changes=() c
  for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$root" -cf - . |
    docker import "${changes[@]}" \
      --change "LABEL kvs.base.recipe=$RECIPE" \
      --change 'LABEL kvs.base.note="local stand-in built by scripts/docker/base-images.sh"' \
      - "$image" >/dev/null
}

smoke() {  # image command...: fail (and drop the image) if it cannot run
  local image="$1"
  shift
  if ! docker run --rm --network none "$image" "$@" >"$WORK/smoke.log" 2>&1; then
    cat "$WORK/smoke.log" >&2
    docker image rm -f "$image" >/dev/null 2>&1 || true
    die "$image: smoke test failed: $*"
  fi
}

size_of() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }

# ----------------------------------------------------------------------------- JRE

build_jre() {
  local t0=$SECONDS root="$WORK/jre-root"
  make_skeleton "$root"
  jlink_into "$root" "$JRE_MODULES" 0
  import_root "$root" "$JRE_IMAGE" \
    "ENV JAVA_HOME=/opt/java/openjdk" "ENV PATH=$PATH_IN_IMAGE" "ENV LANG=C.UTF-8" \
    "ENV JAVA_VERSION=$(java_version_tag)" "CMD [\"/bin/sh\"]"
  rm -rf "$root"
  smoke "$JRE_IMAGE" sh -c 'java -version && curl --version >/dev/null && wget --version >/dev/null && useradd -u 4242 smoke && id smoke && ls /tmp >/dev/null'
  log "$JRE_IMAGE: built in $((SECONDS - t0)) s, $(size_of "$JRE_IMAGE")"
}

# --------------------------------------------------------------------------- Maven

maven_dist() {  # -> path of an unpacked Maven $MAVEN_VERSION (cached in $WORK)
  local dir="$WORK/apache-maven-$MAVEN_VERSION"
  local tgz="$HOST_M2/org/apache/maven/apache-maven/$MAVEN_VERSION/apache-maven-$MAVEN_VERSION-bin.tar.gz"
  if [ ! -x "$dir/bin/mvn" ]; then
    if [ ! -s "$tgz" ]; then
      # The distribution is an ordinary artifact on Maven Central; the host's Maven
      # fetches it into ~/.m2, where later runs (and machines made from this one) find it.
      log "fetching Maven $MAVEN_VERSION from Maven Central (host mvn)"
      JAVA_HOME="$JDK" mvn -B -q \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
        -Dartifact="org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" \
        -Dtransitive=false >"$WORK/maven-dist.log" 2>&1 ||
        { tail -n 20 "$WORK/maven-dist.log" >&2; die "cannot fetch Maven $MAVEN_VERSION"; }
    fi
    tar -xzf "$tgz" -C "$WORK"
  fi
  echo "$dir"
}

# Resolves everything the project's build needs into a fresh repository. Runs on a copy
# of the poms and sources so the work tree's target/ dirs are never touched.
derive_repo() {  # maven-dir out-dir
  local mvn="$1/bin/mvn" out="$2" copy="$WORK/project-copy" settings="$WORK/resolve-settings.xml"
  rm -rf "$out" "$copy"
  mkdir -p "$out" "$copy"
  (cd "$PROJECT" && find . -name pom.xml -not -path '*/target/*' -not -path '*/.*/*' -print0) |
    while IFS= read -r -d '' pom; do
      local d
      d="$(dirname "$pom")"
      mkdir -p "$copy/$d"
      cp "$PROJECT/$pom" "$copy/$d/"
      [ -d "$PROJECT/$d/src" ] && cp -r "$PROJECT/$d/src" "$copy/$d/"
    done
  # ~/.m2/repository first (a local file copy, no network), Central for what it lacks.
  # Artifacts then carry "host-m2" in _remote.repositories; those files are dropped
  # before the copy into the image (see stage_repo).
  {
    echo '<settings><profiles><profile><id>host-m2</id>'
    if [ -d "$HOST_M2" ]; then
      for kind in repositor pluginRepositor; do
        echo "<${kind}ies><${kind}y><id>host-m2</id><url>file://$HOST_M2</url>"
        echo '<releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>'
        echo "<snapshots><enabled>false</enabled></snapshots></${kind}y></${kind}ies>"
      done
    fi
    echo '</profile></profiles><activeProfiles><activeProfile>host-m2</activeProfile></activeProfiles></settings>'
  } >"$settings"
  local args=(-B -s "$settings" -Dmaven.repo.local="$out" -f "$copy/pom.xml")
  log "resolving the build's artifacts (dependency:go-offline) into $out"
  # The plugin prefix form also stores the plugin-group metadata, so prefixed goals
  # (`mvn dependency:tree`) resolve offline in the image too.
  JAVA_HOME="$JDK" "$mvn" "${args[@]}" dependency:go-offline >"$WORK/resolve.log" 2>&1 ||
    JAVA_HOME="$JDK" "$mvn" "${args[@]}" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline >>"$WORK/resolve.log" 2>&1 ||
    { tail -n 30 "$WORK/resolve.log" >&2; die "dependency:go-offline failed (log: $WORK/resolve.log)"; }
  # go-offline misses what plugins resolve only while running; a real package run
  # catches those. If the code does not compile right now, go on with what we have.
  log "resolving what 'package -DskipTests' loads"
  JAVA_HOME="$JDK" "$mvn" "${args[@]}" -DskipTests package >>"$WORK/resolve.log" 2>&1 ||
    log "warning: 'mvn package' on the project failed (log: $WORK/resolve.log); the image may miss plugins it loads late"
  rm -rf "$copy"
}

# Copies a repository into the image. Offline Maven 3.9 refuses an artifact whose
# _remote.repositories names a repository the build does not use (host-m2 here, or a
# mirror id elsewhere); without that file the artifact counts as locally installed.
stage_repo() {  # src dst
  mkdir -p "$2"
  cp -a "$1/." "$2/"
  find "$2" \( -name _remote.repositories -o -name '*.lastUpdated' -o -name resolver-status.properties \) -delete
}

build_maven() {
  local t0=$SECONDS root="$WORK/maven-root" mdir src="$1"
  mdir="$(maven_dist)"
  make_skeleton "$root"
  local mods="" m
  # The whole JDK, minus incubator modules (they print a warning on every javac run).
  for m in "$JDK"/jmods/*.jmod; do
    m="$(basename "$m" .jmod)"
    case "$m" in jdk.incubator.*) ;; *) mods="${mods:+$mods,}$m" ;; esac
  done
  jlink_into "$root" "$mods" 0
  mkdir -p "$root/usr/share"
  cp -a "$mdir" "$root/usr/share/maven"
  ln -s /usr/share/maven/bin/mvn "$root/usr/bin/mvn"
  # Offline in the user settings: Maven ignores <offline> in the global conf/settings.xml
  # (the user level always wins, and its default is false). A Dockerfile that COPYs its
  # own /root/.m2/settings.xml must say <offline>true</offline> or run `mvn -o`.
  mkdir -p "$root/root/.m2"
  printf '<settings>\n  <offline>true</offline>\n</settings>\n' >"$root/root/.m2/settings.xml"

  case "$src" in
    project-poms:*)
      derive_repo "$mdir" "$WORK/m2-trimmed"
      stage_repo "$WORK/m2-trimmed" "$root/root/.m2/repository" ;;
    dir:*)
      [ -d "${src#dir:}" ] || die "Maven repository ${src#dir:} does not exist"
      log "copying Maven repository ${src#dir:}"
      stage_repo "${src#dir:}" "$root/root/.m2/repository" ;;
  esac
  log "repository in image: $(du -sh "$root/root/.m2/repository" | cut -f1)"

  import_root "$root" "$MAVEN_IMAGE" \
    "ENV JAVA_HOME=/opt/java/openjdk" "ENV PATH=$PATH_IN_IMAGE" "ENV LANG=C.UTF-8" \
    "ENV JAVA_VERSION=$(java_version_tag)" "ENV MAVEN_HOME=/usr/share/maven" \
    "ENV MAVEN_CONFIG=/root/.m2" "LABEL kvs.base.m2-source=$src" "CMD [\"mvn\"]"
  rm -rf "$root"
  # A plugin that exists nowhere must fail with Maven's offline message.
  smoke "$MAVEN_IMAGE" sh -c 'mvn -v && javac -version && jar --version &&
    mvn -B kvs.none:none-maven-plugin:1:none 2>&1 | grep -q "in offline mode"'
  log "$MAVEN_IMAGE: built in $((SECONDS - t0)) s, $(size_of "$MAVEN_IMAGE")"
}

# ------------------------------------------------------------------------------ main

mkdir -p "$WORK"
if [ "$ONLY" != maven ] && needs_build "$JRE_IMAGE"; then
  ensure_host_tools
  build_jre
fi
if [ "$ONLY" != jre ]; then
  src="$(m2_source)"
  if needs_build "$MAVEN_IMAGE" "$src"; then
    ensure_host_tools
    build_maven "$src"
  fi
fi
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' |
  grep -E "^($MAVEN_IMAGE|$JRE_IMAGE)  " >&2 || true
