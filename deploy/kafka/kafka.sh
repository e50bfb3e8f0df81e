#!/usr/bin/env bash
# Local Apache Kafka broker (KRaft, single combined broker+controller on loopback), no Docker.
# Jars come from Maven Central via deploy/kafka/pom.xml.
#
#   bash deploy/kafka/kafka.sh fetch       # copy pinned jars into deploy/kafka/.jars
#   bash deploy/kafka/kafka.sh start       # start on the kept data (formatted on first start), wait,
#                                          # print KAFKA_BROKERS=...
#   bash deploy/kafka/kafka.sh stop        # SIGTERM (30 s), then SIGKILL
#   bash deploy/kafka/kafka.sh status      # exit 0 if the broker answers a Metadata request
#   bash deploy/kafka/kafka.sh wipe        # stop this script's broker and delete its data (topics,
#                                          # messages, consumer offsets): the next start is a new cluster
#   bash deploy/kafka/kafka.sh cluster-id  # print a new cluster id from Kafka's own storage tool
#
# The broker's data outlives stop and start: a relay's checkpoint in Postgres says "published up to
# here", which holds only while the topics keep what was published. Only `wipe` deletes it.
#
# Env: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093),
#      KAFKA_DATA_DIR (<repository>/data/kafka-$KAFKA_PORT: kept across starts, like the rest of data/),
#      KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_START_TIMEOUT (90), JAVA (java), MVN (mvn).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
JARS_DIR="$SCRIPT_DIR/.jars"
STAMP="$JARS_DIR/.stamp"

PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
DATA_DIR="${KAFKA_DATA_DIR:-$(cd "$SCRIPT_DIR/../.." && pwd)/data/kafka-$PORT}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
HOST=127.0.0.1
PID_FILE="$DATA_DIR/broker.pid"
LOG_FILE="$DATA_DIR/broker.log"
LOG_DIRS="$DATA_DIR/logs"

log() { echo "kafka.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

dump_log() {
  if [[ -f "$LOG_FILE" ]]; then
    log "---- last 60 lines of $LOG_FILE ----"
    tail -n 60 "$LOG_FILE" >&2 || true
    log "---- end of log ----"
  fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

fetch() {
  local want
  want="$(pom_hash)"
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && compgen -G "$JARS_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v "$MVN" >/dev/null || die "mvn not found (needed to fetch Kafka jars)"
  local tmp="$JARS_DIR.tmp.$$"
  rm -rf "$tmp"
  if ! "$MVN" -B -q -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime >"$tmp.mvn.log" 2>&1; then
    cat "$tmp.mvn.log" >&2
    rm -rf "$tmp" "$tmp.mvn.log"
    die "mvn dependency:copy-dependencies failed"
  fi
  rm -f "$tmp.mvn.log"
  echo "$want" >"$tmp/.stamp"
  rm -rf "$JARS_DIR"
  mv "$tmp" "$JARS_DIR"
  log "fetched $(ls "$JARS_DIR"/*.jar | wc -l) jars into $JARS_DIR"
}

# Real Kafka protocol round trip without a JVM: Metadata v4 request (all topics) over /dev/tcp.
# Succeeds when the response carries our correlation id and at least one broker.
probe() {
  local bytes
  bytes="$(
    timeout 5 bash -c '
      exec 3<>"/dev/tcp/$0/$1" || exit 1
      # size=20 | api_key=3 (Metadata) | api_version=4 | correlation_id=0x4f42 | client_id="probe"
      # | topics=null (-1 => all) | allow_auto_topic_creation=false
      printf "\x00\x00\x00\x14\x00\x03\x00\x04\x00\x00\x4f\x42\x00\x05probe\xff\xff\xff\xff\x00" >&3
      # size(4) correlation_id(4) throttle_time_ms(4) brokers_count(4) first_node_id(4)
      head -c 20 <&3 | od -An -tu1 -v
    ' "$HOST" "$PORT" 2>/dev/null
  )" || return 1
  # shellcheck disable=SC2206
  local b=($bytes)
  [[ ${#b[@]} -eq 20 ]] || return 1
  [[ "${b[4]} ${b[5]} ${b[6]} ${b[7]}" == "0 0 79 66" ]] || return 1   # correlation id 0x4f42
  local brokers=$(( (b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15] ))
  (( brokers >= 1 && brokers < 1000 )) || return 1
}

port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null; }

our_pid() {
  # Prints the pid from the pid file if it is a live kafka.Kafka process.
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

check_data_dir() {
  case "$DATA_DIR" in
    ""|"/"|"$HOME"|"$HOME/"|"/tmp"|"/tmp/") die "refusing to use KAFKA_DATA_DIR='$DATA_DIR' (wipe would delete it)";;
  esac
}

stop() {
  check_data_dir
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    log "no broker started by this script is running (data dir $DATA_DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker (pid $pid) did not stop within 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped broker (pid $pid)"
}

start() {
  check_data_dir
  if probe; then
    log "a Kafka broker already answers on $HOST:$PORT; not starting another"
    echo "KAFKA_BROKERS=$HOST:$PORT"
    return 0
  fi
  if port_open "$PORT"; then
    die "port $PORT is in use by something that does not answer Kafka Metadata requests"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $CONTROLLER_PORT is already in use"
  fi
  command -v "$JAVA" >/dev/null || die "java not found"

  fetch

  # A previous broker of ours on this data dir that no longer answers: stop it before starting another.
  if our_pid >/dev/null; then stop; fi

  mkdir -p "$LOG_DIRS"

  cat >"$DATA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$LOG_DIRS
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF

  local jvm_opts=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    -Dorg.slf4j.simpleLogger.showDateTime=true
    -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS)
  local cp="$JARS_DIR/*"

  # Format only an empty folder: formatting one that holds data would refuse, and wiping it would
  # lose what relays have already counted as published.
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    log "keeping the data in $DATA_DIR (cluster $(sed -n 's/^cluster.id=//p' "$LOG_DIRS/meta.properties"))"
  elif [[ -n "$(ls -A "$LOG_DIRS")" ]]; then
    die "$LOG_DIRS holds files but no meta.properties: not a broker's data; move it away or run '$0 wipe'"
  else
    local cluster_id
    cluster_id="$(new_cluster_id)"
    if ! "$JAVA" $HEAP_OPTS -cp "$cp" kafka.tools.StorageTool format \
        --cluster-id "$cluster_id" --config "$DATA_DIR/server.properties" --standalone \
        >>"$DATA_DIR/format.log" 2>&1; then
      cat "$DATA_DIR/format.log" >&2
      die "storage format failed"
    fi
    log "formatted $LOG_DIRS for the new cluster $cluster_id"
  fi

  # setsid: detach from the caller's process group; bash -c writes its own pid, then execs java (same pid).
  # shellcheck disable=SC2086
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$JAVA" $HEAP_OPTS "${jvm_opts[@]}" -cp "$cp" kafka.Kafka "$DATA_DIR/server.properties" \
    </dev/null >>"$LOG_FILE" 2>&1 &

  local deadline=$((SECONDS + START_TIMEOUT)) pid=""
  while ((SECONDS < deadline)); do
    [[ -z "$pid" && -s "$PID_FILE" ]] && pid="$(cat "$PID_FILE")"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      dump_log
      rm -f "$PID_FILE"
      die "broker process exited during startup"
    fi
    if [[ -n "$pid" ]] && port_open "$PORT" && probe; then
      log "broker up (pid $pid, data $DATA_DIR)"
      echo "KAFKA_BROKERS=$HOST:$PORT"
      return 0
    fi
    sleep 0.25
  done
  dump_log
  stop || true
  die "broker did not answer on $HOST:$PORT within ${START_TIMEOUT}s"
}

# Kafka's own generator (kafka-storage.sh random-uuid): its ids never begin with '-', which the
# format command would read as an option.
new_cluster_id() {
  fetch
  local id
  id="$("$JAVA" $HEAP_OPTS -cp "$JARS_DIR/*" kafka.tools.StorageTool random-uuid 2>/dev/null | grep -E '^[A-Za-z0-9_-]{22}$' | tail -n 1)"
  [[ -n "$id" ]] || die "kafka.tools.StorageTool random-uuid printed no cluster id"
  echo "$id"
}

wipe() {
  check_data_dir
  if probe && ! our_pid >/dev/null; then
    die "a broker answers on $HOST:$PORT that this script did not start on $DATA_DIR: not wiping"
  fi
  stop
  rm -rf "$DATA_DIR"
  log "wiped $DATA_DIR: the next start formats a new cluster"
}

status() {
  if probe; then
    echo "KAFKA_BROKERS=$HOST:$PORT"
    return 0
  fi
  log "no Kafka broker answers on $HOST:$PORT"
  return 1
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  wipe) wipe ;;
  cluster-id) new_cluster_id ;;
  *) echo "usage: $0 {fetch|start|stop|status|wipe|cluster-id}" >&2; exit 2 ;;
esac
