#!/usr/bin/env bash
# Builds the agent's container image dockline/agent:<version> without pulling a base image: a Java runtime
# cut down with jlink to the modules the fat jar needs, the host's shared libraries that runtime and the jar's
# native parts (zstd-jni, JNA) link against, the jar, and a non-root user, imported with `docker import`.
# How to run the image: docs/deploy.md.
#
#   deploy/image.sh [JAR]            build from JAR (default launcher/target/dockline.jar; build it first
#                                    with `mvn -B -o -pl launcher -am package -DskipTests`)
#   deploy/image.sh --modules [JAR]  print what jdeps finds the jar needs (to check MODULES below)
#
# Environment: TAG (default dockline/agent:<the jar's version>), JAVA_HOME (default: the java on PATH).
set -euo pipefail

# What `deploy/image.sh --modules` prints (jdeps on the jar; a few seconds of CPU per MB, so not run on every
# build), plus what the jar loads by name, which jdeps cannot see: jdk.crypto.ec (TLS with EC keys and ECDHE,
# the cluster-tls-* and http-tls-* settings) and jdk.net (Hazelcast's TCP keep-alive options). java.logging and
# java.management come in as these modules' own dependencies.
MODULES=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.scripting,java.security.jgss,java.sql,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.net
# Programs the node runs: renice and chrt set the CPU priority of its background threads (background-priority).
PROGRAMS="renice chrt"
# The user the node runs as (its data directory belongs to it); add the Docker socket's group with --group-add.
USER_ID=10001
PREFIX=/opt/dockline
DATA=/var/lib/dockline

die() { echo "image.sh: $*" >&2; exit 1; }

mode=build
if [ "${1:-}" = --modules ]; then mode=modules; shift; fi
JAR=$(realpath "${1:-launcher/target/dockline.jar}")
[ -f "$JAR" ] || die "no jar at $JAR (build it: mvn -B -o -pl launcher -am package -DskipTests)"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(realpath "$(command -v java)")")")}
for tool in jlink jdeps jar; do
  [ -x "$JAVA_HOME/bin/$tool" ] || die "$JAVA_HOME/bin/$tool is missing: a full JDK 17 (with jmods) is needed"
done
[ -d "$JAVA_HOME/jmods" ] || die "$JAVA_HOME/jmods is missing: jlink needs the JDK's jmods"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $mode = modules ]; then
  # the fat jar carries Netty's module-info: jdeps would take the whole jar for that one module. Without it,
  # jdeps reads every class.
  mkdir "$work/classes"
  (cd "$work/classes" && "$JAVA_HOME/bin/jar" xf "$JAR")
  find "$work/classes" -name module-info.class -delete
  (cd "$work/classes" && "$JAVA_HOME/bin/jar" cf "$work/plain.jar" .)
  "$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$work/plain.jar"
  exit 0
fi

command -v docker >/dev/null || die "docker CLI not found"
version=$(cd "$work" && "$JAVA_HOME/bin/jar" xf "$JAR" META-INF/maven/io.dockline/launcher/pom.properties \
  && sed -n 's/^version=//p' META-INF/maven/io.dockline/launcher/pom.properties)
[ -n "$version" ] || die "$JAR has no io.dockline launcher version: is it dockline's fat jar?"
TAG=${TAG:-dockline/agent:$version}

root=$work/rootfs
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --output "$root$PREFIX/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=2
cp "$JAR" "$root$PREFIX/dockline.jar"
mkdir -p "$root/usr/bin"
for program in $PROGRAMS; do
  path=$(command -v "$program") || die "$program not found (util-linux): the node runs it"
  cp -L "$path" "$root/usr/bin/$program"
done

# The shared libraries the runtime and the jar's Linux x86-64 native libraries need, at the host's paths.
arch_libs=$("$JAVA_HOME/bin/jar" tf "$JAR" | grep -E '^(linux/amd64/.*\.so|com/sun/jna/linux-x86-64/.*\.so)$' || true)
mkdir "$work/native"
if [ -n "$arch_libs" ]; then
  # shellcheck disable=SC2086
  (cd "$work/native" && "$JAVA_HOME/bin/jar" xf "$JAR" $arch_libs)
fi
needed=$(find "$root$PREFIX/runtime" "$root/usr/bin" "$work/native" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | grep -v "^$work/" | sort -u)
[ -n "$needed" ] || die "ldd found no libraries: is this a glibc Linux host?"
for lib in $needed; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

mkdir -p "$root/etc" "$root/tmp" "$root$DATA"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\ndockline:x:%s:%s:dockline:%s:/sbin/nologin\n' \
  "$USER_ID" "$USER_ID" "$DATA" >"$root/etc/passwd"
printf 'root:x:0:\ndockline:x:%s:\n' "$USER_ID" >"$root/etc/group"
# glibc's resolver: host names from /etc/hosts (which Docker provides), then DNS
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"

# root owns everything but the data directory, which the node's user owns (a new volume copies that)
tar -C "$root" --numeric-owner --owner=0 --group=0 --exclude=".$DATA" -cf "$work/rootfs.tar" .
tar -C "$root" --numeric-owner --owner="$USER_ID" --group="$USER_ID" --no-recursion -rf "$work/rootfs.tar" ".$DATA"

# One JVM with the node's own flags (launcher NodeJvm.flags), so the node does not start a second one; the
# native heap trimmed where the runtime's JDK has the flag (17.0.11, 21.0.3 and later).
trim=
"$JAVA_HOME/bin/java" -XX:TrimNativeHeapInterval=10000 -version >/dev/null 2>&1 && trim='"-XX:TrimNativeHeapInterval=10000", '
docker import \
  --change "ENV PATH=/usr/bin DOCKLINE_ROLES=agent,router DOCKLINE_DATA_DIR=$DATA MALLOC_ARENA_MAX=2" \
  --change "USER $USER_ID:$USER_ID" \
  --change "WORKDIR $DATA" \
  --change "VOLUME $DATA" \
  --change "ENTRYPOINT [\"$PREFIX/runtime/bin/java\", \"-Xms16m\", \"-Xmx256m\", \"-XX:+UseSerialGC\", $trim\"-jar\", \"$PREFIX/dockline.jar\"]" \
  --message "dockline $version: agent image (jlink runtime of $MODULES)" \
  "$work/rootfs.tar" "$TAG" >/dev/null
echo "$TAG $(docker image inspect -f '{{.Size}}' "$TAG") bytes"
