# Shared by the bench scripts (sourced after `cd` to the repository root): Docker and the test image ready,
# the fat jar built, and small helpers. API must be set before `metric` is used.
JAR=${DOCKLINE_JAR:-launcher/target/dockline.jar}   # another build to measure: DOCKLINE_JAR=path
IMAGE=${DOCKLINE_TEST_IMAGE:-dockline-test/busybox:1}
SOCK=/var/run/docker.sock
LINE=$(printf 'dockline-bench %0125d' 0)   # 140 bytes with the newline

bash .ci/docker-env.sh >/dev/null
[ -f "$JAR" ] || mvn -B -q -DskipTests package

# a free loopback port
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# the sum of a Prometheus metric's samples on the node at $API
metric() { curl -s "$API/metrics" | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
