#!/usr/bin/env bash
# The hand-off to Kafka, on one single-node KRaft broker (Kafka 4.4.0, the tests' KafkaBroker: 127.0.0.1 only,
# heap BROKER_HEAP, default 1g) on this machine.
#   Phase 1, the ceiling: Kafka's own producer-performance tool (org.apache.kafka.tools.ProducerPerformance),
#     RECORDS records (default 1,000,000) of RECORD_BYTES bytes (default 450: about dockline's JSON value for a
#     140-byte line) into a fresh topic of PARTITIONS partitions (default 1) per run, acks=all, no throttle,
#     the producer's other settings Kafka's defaults (4.x: linger.ms=5, batch.size=16384, no compression) plus
#     PRODUCER_PROPS (e.g. "linger.ms=20 batch.size=262144 compression.type=lz4"). RUNS runs (default 3):
#     each run's records/s, MB/s (10^6 bytes), average and 99th-percentile latency, then the medians.
#     The broker, as Kafka ships, fsyncs nothing per record (log.flush.* unset: durability is replication's, and
#     here the factor is 1); dockline fsyncs what it acknowledges.
#   Phase 2, dockline end to end: see below.
# The producer tool and the broker share the machine's cores (2 here), as dockline and its broker would.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-1000000}
RECORD_BYTES=${RECORD_BYTES:-450}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-1}
BROKER_HEAP=${BROKER_HEAP:-1g}
PRODUCER_PROPS=${PRODUCER_PROPS:-}
. bench/lib.sh

work=$(mktemp -d)
broker_pid=""
cleanup() {
  # KafkaBroker's main kills its broker when it gets SIGTERM (and when this script's process is gone)
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# the broker and Kafka's tools run on the launcher's test class path (the kafka_2.13, kafka-server, kafka-tools
# test dependencies) plus its test classes (KafkaBroker)
mvn -B -q -pl launcher -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath >"$work/mvn.log" 2>&1 \
  || { cat "$work/mvn.log"; fail "could not build the launcher's test class path"; }
CP="launcher/target/test-classes:$(cat launcher/target/test.classpath)"

java -cp "$CP" io.dockline.launcher.KafkaBroker "$work/broker" "-Xmx$BROKER_HEAP" -Djava.awt.headless=true \
  >"$work/broker-main.out" 2>"$work/broker-main.err" &
broker_pid=$!
for _ in $(seq 1 1800); do
  grep -q '^bootstrap ' "$work/broker-main.out" 2>/dev/null && break
  kill -0 "$broker_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q '^bootstrap ' "$work/broker-main.out" 2>/dev/null; then
  cat "$work/broker-main.err"; tail -40 "$work/broker/broker.log" 2>/dev/null || true
  fail "the broker did not start within 180 s"
fi
BOOTSTRAP=$(awk '$1 == "bootstrap" {print $2}' "$work/broker-main.out")
STARTED_MS=$(awk '$1 == "started_ms" {print $2}' "$work/broker-main.out")

kafka_tool() { java -cp "$CP" "$@" 2>>"$work/tools.log"; }
topic() { kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@" >/dev/null; }

echo "bench/kafka: Kafka 4.4.0, one KRaft broker (heap $BROKER_HEAP) at $BOOTSTRAP, started in $STARTED_MS ms; $(nproc) cores"
echo "phase 1, ceiling: ProducerPerformance, $RECORDS records of $RECORD_BYTES bytes per run, $PARTITIONS partition(s), acks=all${PRODUCER_PROPS:+, $PRODUCER_PROPS}, $RUNS runs"
rates=(); mbs=(); avgs=(); p99s=()
for i in $(seq 1 "$RUNS"); do
  t="ceiling-$i"
  topic --create --topic "$t" --partitions "$PARTITIONS" --replication-factor 1
  # shellcheck disable=SC2086 # PRODUCER_PROPS is a list of key=value words
  out=$(kafka_tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$t" \
    --num-records "$RECORDS" --record-size "$RECORD_BYTES" --throughput -1 \
    --command-property acks=all $PRODUCER_PROPS) || { tail -40 "$work/tools.log"; fail "ProducerPerformance failed"; }
  # the last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, ... P99 ms 99th, ..."
  summary=$(printf '%s\n' "$out" | grep ' records sent, ' | tail -1)
  sent=$(awk '{print $1}' <<<"$summary")
  [ "$sent" = "$RECORDS" ] || fail "run $i: the tool reports $sent records sent, not $RECORDS: $summary"
  rate=$(sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$summary")
  avg=$(sed -E 's/.*, ([0-9.]+) ms avg latency.*/\1/' <<<"$summary")
  p99=$(sed -E 's/.*, ([0-9.]+) ms 99th,.*/\1/' <<<"$summary")
  rates+=("$(printf '%.0f' "$rate")")
  mbs+=("$(awk -v r="$rate" -v b="$RECORD_BYTES" 'BEGIN {printf "%.1f", r * b / 1e6}')")
  avgs+=("$avg"); p99s+=("$p99")
  echo "  run $i: ${rates[-1]} records/s, ${mbs[-1]} MB/s, avg latency $avg ms, p99 $p99 ms"
  topic --delete --topic "$t"   # the next run starts on an empty log (and the disk gets its space back)
done
echo "ceiling (median): $(median "${rates[@]}") records/s, $(median "${mbs[@]}") MB/s, avg latency $(median "${avgs[@]}") ms, p99 $(median "${p99s[@]}") ms"
CEILING=$(median "${rates[@]}")

# Phase 2, dockline end to end: an all-in-one node (agent, router, collector, gateway; fsync on) reads a container
# writing LINES lines of 140 bytes (as bench/e2e.sh) and publishes them to this broker. Per run: lines/s from the
# container's start until the node has stored every line (ingest) and until Kafka has committed every line
# (end to end; the node's committed count, then checked read_committed: seqs 1..LINES once, in order). First a
# node without Kafka gives the ingest baseline, then one publishing. Targets: end to end >= 0.6 x the ceiling,
# ingest while publishing >= 0.9 x ingest alone.
LINES=${LINES:-1000000}
CMD="yes '$LINE' | head -n $LINES"
node_pid=""
stop_node() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true; node_pid=""; }
trap 'stop_node; docker ps -aq --filter label=dockline.bench | xargs -r docker rm -f >/dev/null 2>&1 || true; cleanup' EXIT
HTTP_PORT=$(port)
API="http://127.0.0.1:$HTTP_PORT"
start_node() {  # $1: data dir name, then extra options
  local name=$1; shift
  java -jar "$JAR" --include-labels dockline.bench --node-name bench --data-dir "$work/$name" --http-port "$HTTP_PORT" \
    --cluster-port "$(port)" --cluster-name "bench-$$-$name" "$@" >"$work/$name.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 240); do
    curl -sf "$API/health" >/dev/null 2>&1 && [ "$(metric dockline_ring_collectors)" -ge 1 ] && return 0
    sleep 0.5
  done
  tail -40 "$work/$name.log"; fail "the node did not become ready"
}
started_at() { date -d "$(docker inspect -f '{{.State.StartedAt}}' "$1")" +%s.%N; }
# one run: prints "ingest_lines_per_s kafka_lines_per_s" (0 for Kafka without publishing)
run_once() {
  local publishing=$1 id stored0 published0 t_stored="" t_kafka="" offset=0 end
  await_no_streams
  stored0=$(metric dockline_lines_stored_total); published0=$(metric dockline_kafka_lines_published_total)
  [ "$publishing" = 1 ] && offset=$(kafka_tool org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$BOOTSTRAP" \
    --topic dockline.lines 2>/dev/null | awk -F: '{s += $3} END {print s + 0}')
  id=$(docker create --network none --log-driver none --label dockline.bench=1 "$IMAGE" sh -c "$CMD")
  start_attached "$id"
  # one poller process each (bench/await.py): the container's lines held, then the published count
  await_stored "$id" "$LINES" 600; t_stored=$STORED_AT
  if [ "$publishing" = 1 ]; then
    t_kafka=$("$PY" bench/await.py metric "$API" dockline_kafka_lines_published_total $(( published0 + LINES )) 600) \
      || fail "${id:0:12}: not all published in 600 s"
  fi
  local t0; t0=$(started_at "$id")
  [ "$(stored_lines "$id")" = "$LINES" ] || fail "${id:0:12}: $(stored_lines "$id") lines stored, not $LINES"
  if [ "$publishing" = 1 ]; then
    check=$(java -cp "$CP" bench/KafkaCheck.java "$BOOTSTRAP" dockline.lines "$id" "$LINES" "$offset" 2>>"$work/tools.log")
    [ "$check" = "ok $LINES" ] || fail "${id:0:12} in Kafka: $check"
  fi
  docker rm -f "$id" >/dev/null
  awk -v n="$LINES" -v a="$t0" -v s="$t_stored" -v k="${t_kafka:-0}" \
    'BEGIN {printf "%.0f %.0f", n/(s-a), (k > 0 ? n/(k-a) : 0)}'
}
echo "phase 2, dockline end to end: $LINES lines of 140 bytes per run, $RUNS runs, one all-in-one node (fsync on)"
start_node alone
alone=()
for i in $(seq 1 "$RUNS"); do
  out=$(run_once 0); read -r ingest _ <<<"$out"; alone+=("$ingest")
  echo "  run $i, no Kafka:   ingest ${ingest} lines/s"
done
stop_node
start_node publishing --kafka-bootstrap "$BOOTSTRAP"
ingests=(); e2es=()
for i in $(seq 1 "$RUNS"); do
  out=$(run_once 1); read -r ingest e2e <<<"$out"; ingests+=("$ingest"); e2es+=("$e2e")
  echo "  run $i, publishing: ingest ${ingest} lines/s, committed in Kafka ${e2e} lines/s (checked read_committed: once, in order)"
done
# publishing gives way to bursts of ingest (docs/kafka.md): how long it waited over the runs
echo "  publishing gave way to ingest for $(metric dockline_kafka_gave_way_seconds_total) s in all"
stop_node
ALONE=$(median "${alone[@]}"); INGEST=$(median "${ingests[@]}"); E2E=$(median "${e2es[@]}")
echo "ingest alone (median):            $ALONE lines/s"
echo "ingest while publishing (median): $INGEST lines/s ($(awk -v a="$ALONE" -v b="$INGEST" 'BEGIN {printf "%.2f", b/a}') x alone, target >= 0.9)"
echo "end to end into Kafka (median):   $E2E lines/s ($(awk -v c="$CEILING" -v e="$E2E" 'BEGIN {printf "%.2f", e/c}') x the ceiling $CEILING records/s, target >= 0.6)"
