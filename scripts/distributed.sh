#!/usr/bin/env bash
# The distributed mode on one machine, without Docker (DESIGN.md §4): the local Kafka broker
# (deploy/kafka/kafka.sh), the local Postgres server, and gateway + missions + accreditation as
# separate processes. The gateway hosts identity (login, users, the administrator from
# OBSERVA_ADMIN_EMAIL / OBSERVA_ADMIN_PASSWORD, else a generated password in its log) on the same
# database.
#
#   npm run start:distributed      # = bash scripts/distributed.sh start
#   npm run stop:distributed       # = bash scripts/distributed.sh stop
#   bash scripts/distributed.sh status
#   bash scripts/distributed.sh relaunch <app>   # start one app again (after a crash, or to restart it)
#
# `start` writes the platform's configuration to $OBSERVA_RUN_DIR/observa.env (DATABASE_URL, KAFKA_BROKERS,
# the gRPC and ops addresses, OBSERVA_KEK_FILE, LOG_LEVEL, and OBSERVA_JWT_SECRET: taken from the
# environment, else kept from the file, else generated once), and every process is started from that
# file, `relaunch` too: one app restarted by hand or by a supervisor gets the same configuration without
# copying anything, and a relaunched gateway keeps accepting the tokens it issued before.
#
# Env: DATABASE_URL (postgres://postgres@127.0.0.1:5432/observa; the database is created if missing),
#      KAFKA_BROKERS (unset: the local broker on KAFKA_PORT, 19092, started here and stopped by `stop`
#      only if this script started it), GATEWAY_PORT (3000), MISSIONS_GRPC_PORT (50051),
#      ACCREDITATION_GRPC_PORT (50052), MISSIONS_OPS_PORT (3001), ACCREDITATION_OPS_PORT (3002),
#      OBSERVA_KEK_FILE (data/distributed.kek: the accreditation process's key-encryption key),
#      LOG_LEVEL (info), OBSERVA_RUN_DIR (data/distributed: pid files and logs, appended to across
#      runs), START_TIMEOUT (90 s).
# The local broker keeps its data across stop and start (deploy/kafka/kafka.sh); `kafka.sh wipe` empties it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The pinned Node (README "Runtime"), as under `npm run`, also when this script is run by hand.
PATH="$ROOT/node_modules/.bin:$PATH"
RUN_DIR="${OBSERVA_RUN_DIR:-$ROOT/data/distributed}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/observa}"
GATEWAY_PORT="${GATEWAY_PORT:-3000}"
MISSIONS_GRPC_PORT="${MISSIONS_GRPC_PORT:-50051}"
ACCREDITATION_GRPC_PORT="${ACCREDITATION_GRPC_PORT:-50052}"
MISSIONS_OPS_PORT="${MISSIONS_OPS_PORT:-3001}"
ACCREDITATION_OPS_PORT="${ACCREDITATION_OPS_PORT:-3002}"
LOG_LEVEL="${LOG_LEVEL:-info}"
START_TIMEOUT="${START_TIMEOUT:-90}"
ENV_FILE="$RUN_DIR/observa.env"
KAFKA_SCRIPT="$ROOT/deploy/kafka/kafka.sh"
KAFKA_MARK="$RUN_DIR/kafka.started-here"
# Exit code of a context host whose context module is not written yet (libs/contracts context-definition.ts).
CONTEXT_MISSING=78
CONTEXTS=(missions accreditation)
APPS=("${CONTEXTS[@]}" gateway)

log() { echo "distributed.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pid_file() { echo "$RUN_DIR/$1.pid"; }
log_file() { echo "$RUN_DIR/$1.log"; }
entry_of() { echo "$ROOT/dist/apps/$1/src/main.js"; }

# The pid of an app this script started, if it still runs.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "dist/apps/$1/src/main.js" || return 1
  echo "$pid"
}

# Alive and not a zombie (a child that exited stays one until this script waits for it).
alive() {
  [[ -r "/proc/$1/stat" ]] && [[ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]]
}

http_ok() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}

tail_log() {
  log "---- last 30 lines of $(log_file "$1") ----"
  tail -n 30 "$(log_file "$1")" >&2 || true
  log "---- end of log ----"
}

kafka_up() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "using Kafka at $KAFKA_BROKERS"
    return
  fi
  local out
  if out="$(bash "$KAFKA_SCRIPT" status 2>/dev/null)"; then
    log "a Kafka broker already runs; using it (and leaving it running on stop)"
  else
    log "starting the local Kafka broker (deploy/kafka/kafka.sh start)"
    out="$(bash "$KAFKA_SCRIPT" start)" || die "the Kafka broker did not start"
    touch "$KAFKA_MARK"
  fi
  KAFKA_BROKERS="$(sed -n 's/^KAFKA_BROKERS=//p' <<<"$out")"
  [[ -n "$KAFKA_BROKERS" ]] || die "kafka.sh printed no KAFKA_BROKERS"
}

# Creates the database of DATABASE_URL if missing, through the server's `postgres` database.
database_up() {
  (cd "$ROOT" && node --input-type=module -e '
    import pg from "pg";
    const url = new URL(process.argv[1]);
    const name = decodeURIComponent(url.pathname.slice(1));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) { console.error(`database name ${name} is not a plain identifier`); process.exit(2); }
    url.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: url.toString() });
    try {
      await admin.connect();
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (rowCount === 0) { await admin.query(`CREATE DATABASE ${name}`); console.error(`created database ${name}`); }
    } catch (error) {
      console.error(`Postgres at ${url.host} did not answer: ${error.message}`); process.exit(1);
    } finally { await admin.end().catch(() => {}); }
  ' "$DATABASE_URL") || die "no usable Postgres server for DATABASE_URL (is it running?)"
}

# A value of the env file (empty if absent).
env_value() {
  [[ -f "$ENV_FILE" ]] || return 0
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}

# The configuration every process starts from; the JWT secret survives rewrites (unless given).
write_env_file() {
  local secret="${OBSERVA_JWT_SECRET:-$(env_value OBSERVA_JWT_SECRET)}"
  [[ -n "$secret" ]] || secret="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64url"))')"
  local kek="${OBSERVA_KEK_FILE:-$ROOT/data/distributed.kek}"
  local file="$ENV_FILE.new"
  (
    umask 077
    cat >"$file" <<ENV
# The distributed platform's configuration, written by scripts/distributed.sh start at $(date -u +%Y-%m-%dT%H:%M:%SZ).
# Every process is started from it (bash scripts/distributed.sh relaunch <app> too). The JWT secret is kept across
# starts: tokens stay valid when the gateway restarts. Mode 0600: it holds that secret.
DATABASE_URL=$DATABASE_URL
KAFKA_BROKERS=$KAFKA_BROKERS
OBSERVA_JWT_SECRET=$secret
OBSERVA_KEK_FILE=$kek
LOG_LEVEL=$LOG_LEVEL
GATEWAY_PORT=$GATEWAY_PORT
MISSIONS_GRPC_URL=127.0.0.1:$MISSIONS_GRPC_PORT
ACCREDITATION_GRPC_URL=127.0.0.1:$ACCREDITATION_GRPC_PORT
MISSIONS_OPS_PORT=$MISSIONS_OPS_PORT
ACCREDITATION_OPS_PORT=$ACCREDITATION_OPS_PORT
ENV
  )
  mv "$file" "$ENV_FILE"
}

# The variables of one app: the env file's shared ones, then its own address and port.
app_env() {
  local app="$1"
  grep -E '^(DATABASE_URL|KAFKA_BROKERS|OBSERVA_JWT_SECRET|LOG_LEVEL)=' "$ENV_FILE"
  case "$app" in
    gateway)
      echo "PORT=$(env_value GATEWAY_PORT)"
      grep -E '^(MISSIONS|ACCREDITATION)_GRPC_URL=' "$ENV_FILE"
      ;;
    missions)
      echo "GRPC_URL=$(env_value MISSIONS_GRPC_URL)"
      echo "PORT=$(env_value MISSIONS_OPS_PORT)"
      ;;
    accreditation)
      echo "GRPC_URL=$(env_value ACCREDITATION_GRPC_URL)"
      echo "PORT=$(env_value ACCREDITATION_OPS_PORT)"
      grep -E '^OBSERVA_KEK_FILE=' "$ENV_FILE"
      ;;
  esac
}

launch() {
  local app="$1" entry vars=()
  entry="$(entry_of "$app")"
  mapfile -t vars < <(app_env "$app")
  # Appended, never truncated: the log of the run before (a crash, a fault) is the evidence.
  echo "---- distributed.sh: starting $app at $(date -u +%Y-%m-%dT%H:%M:%SZ) ----" >>"$(log_file "$app")"
  # setsid: the app outlives this script and a Ctrl-C in its terminal; exec keeps the pid.
  (cd "$ROOT" && exec env "${vars[@]}" setsid node "$entry" </dev/null >>"$(log_file "$app")" 2>&1) &
  echo $! >"$(pid_file "$app")"
}

# One app again, from the env file of the running platform (a supervisor's or an operator's restart).
relaunch() {
  local app="${1:-}" pid
  [[ " ${APPS[*]} " == *" $app "* ]] || die "usage: $0 relaunch {${APPS[*]}}"
  [[ -f "$ENV_FILE" ]] || die "no $ENV_FILE: start the platform first (npm run start:distributed)"
  if pid="$(running_pid "$app")"; then die "$app already runs (pid $pid)"; fi
  [[ -f "$(entry_of "$app")" ]] || die "no $(entry_of "$app"): npm run build first"
  launch "$app"
  log "relaunched $app (pid $(cat "$(pid_file "$app")"), log $(log_file "$app"))"
}

# Waits until every context process is up or known to be missing (those it lists in MISSING).
MISSING=()
await_contexts() {
  local deadline=$((SECONDS + START_TIMEOUT)) app pid code
  declare -A ports=([missions]="$MISSIONS_OPS_PORT" [accreditation]="$ACCREDITATION_OPS_PORT")
  local pending=("${CONTEXTS[@]}")
  while ((${#pending[@]} > 0)); do
    local still=()
    for app in "${pending[@]}"; do
      pid="$(cat "$(pid_file "$app")")"
      if ! alive "$pid"; then
        code=0
        wait "$pid" || code=$?
        rm -f "$(pid_file "$app")"
        if ((code == CONTEXT_MISSING)); then
          MISSING+=("$app")
          continue
        fi
        tail_log "$app"
        stop_apps
        stop_kafka
        die "$app exited with code $code during start-up (log above)"
      fi
      http_ok "http://127.0.0.1:${ports[$app]}/health" || still+=("$app")
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]} == 0)) && break
    if ((SECONDS > deadline)); then
      for app in "${pending[@]}"; do tail_log "$app"; done
      stop_apps
      stop_kafka
      die "${pending[*]} did not answer /health within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

start() {
  local app
  for app in "${APPS[@]}"; do
    if running_pid "$app" >/dev/null; then die "$app already runs (pid $(running_pid "$app")); npm run stop:distributed first"; fi
  done
  mkdir -p "$RUN_DIR"
  command -v node >/dev/null || die "node not found"
  log "node $(node --version)"

  kafka_up
  database_up

  log "building (npm run build, log in $RUN_DIR/build.log)"
  if ! (cd "$ROOT" && npm run build >"$RUN_DIR/build.log" 2>&1); then
    # tsc still emits: a type error elsewhere in the tree (a bench, a spec) need not stop the apps.
    grep -E 'error TS' "$RUN_DIR/build.log" | head -n 10 >&2 || true
    log "WARNING: the build reports type errors (above; all in $RUN_DIR/build.log); starting what it emitted"
  fi
  local absent=()
  for app in "${APPS[@]}"; do [[ -f "$(entry_of "$app")" ]] || absent+=("$app"); done
  if ((${#absent[@]} > 0)); then
    stop_kafka
    die "no $(for a in "${absent[@]}"; do printf 'dist/apps/%s/src/main.js ' "$a"; done)after the build: apps/<app>/src/main.ts is not written yet"
  fi

  write_env_file
  launch missions
  launch accreditation
  await_contexts
  for app in "${MISSING[@]+"${MISSING[@]}"}"; do
    log "WARNING: $app is not running: its context module is not written yet ($(tail -n 1 "$(log_file "$app")"))"
  done

  # The gateway hosts identity: its user and login events go to the same store (never to Kafka).
  launch gateway
  local deadline=$((SECONDS + START_TIMEOUT))
  until http_ok "http://127.0.0.1:$GATEWAY_PORT/health"; do
    if ! running_pid gateway >/dev/null; then
      tail_log gateway
      stop_apps
      stop_kafka
      die "the gateway exited during start-up (log above)"
    fi
    if ((SECONDS > deadline)); then
      tail_log gateway
      stop_apps
      stop_kafka
      die "the gateway's /health did not answer 200 within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done

  cat <<INFO
Observa runs distributed:
  gateway        http://127.0.0.1:$GATEWAY_PORT   (API /api/v1, docs /api/docs, /health, /metrics)
$(for app in "${CONTEXTS[@]}"; do
    if running_pid "$app" >/dev/null; then
      port_var="${app^^}_GRPC_PORT"; ops_var="${app^^}_OPS_PORT"
      printf '  %-14s gRPC 127.0.0.1:%s, /health and /metrics on http://127.0.0.1:%s\n' "$app" "${!port_var}" "${!ops_var}"
    else
      printf '  %-14s not running (context module not written yet)\n' "$app"
    fi
  done)
  events         Kafka $KAFKA_BROKERS, store and read models $DATABASE_URL
  logs and pids  $RUN_DIR (configuration of every process: $ENV_FILE)
Stop it with: npm run stop:distributed
INFO
}

# SIGTERM (the apps close HTTP, gRPC, consumers, relay, then the database), SIGKILL after 20 s.
stop_app() {
  local app="$1" pid i
  if ! pid="$(running_pid "$app")"; then
    rm -f "$(pid_file "$app")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "$app (pid $pid) did not stop within 20 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$app")"
  log "stopped $app (pid $pid)"
}

stop_apps() {
  # The edge first, so that no request arrives at a context on its way down.
  stop_app gateway
  local app
  for app in "${CONTEXTS[@]}"; do stop_app "$app"; done
}

stop_kafka() {
  if [[ -f "$KAFKA_MARK" ]]; then
    bash "$KAFKA_SCRIPT" stop
    rm -f "$KAFKA_MARK"
  fi
}

status() {
  local app pid any=1
  for app in "${APPS[@]}"; do
    if pid="$(running_pid "$app")"; then
      echo "$app: running (pid $pid, log $(log_file "$app"))"
      any=0
    else
      echo "$app: not running"
    fi
  done
  return "$any"
}

case "${1:-}" in
  start) start ;;
  stop)
    stop_apps
    stop_kafka
    ;;
  status) status ;;
  relaunch) relaunch "${2:-}" ;;
  *)
    echo "usage: $0 {start|stop|status|relaunch <app>}" >&2
    exit 2
    ;;
esac
