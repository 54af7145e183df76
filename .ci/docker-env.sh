#!/usr/bin/env bash
# Makes sure what the tests and benchmarks need is here: docker.io and busybox-static installed, a Docker
# daemon answering on /var/run/docker.sock, and the test image dockline-test/busybox:1 (built locally from
# busybox-static: nothing is pulled). Safe to run again; it only does what is missing.
set -euo pipefail

TEST_IMAGE=${DOCKLINE_TEST_IMAGE:-dockline-test/busybox:1}

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "docker-env: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! docker version >/dev/null 2>&1; then
  echo "docker-env: starting dockerd (log: /var/log/dockline-dockerd.log)"
  nohup dockerd --bridge=none --iptables=false >/var/log/dockline-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    sleep 1
  done
  docker version >/dev/null 2>&1 || { echo "docker-env: dockerd did not answer"; tail -20 /var/log/dockline-dockerd.log; exit 1; }
fi

if ! docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  echo "docker-env: building $TEST_IMAGE from busybox-static"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$TEST_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
echo "docker-env: ready ($(docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}'), image $TEST_IMAGE)"
