#!/usr/bin/env bash
# Apache Kafka (KRaft, one combined broker+controller node on loopback), from Maven Central jars.
# Usage: deploy/kafka.sh build|start|stop|stop-all|kill|status|wipe
#        deploy/kafka.sh tools [TOOL [ARGS...]]   Kafka's own command-line tools against this broker
#   KAFKA_PORT (19092) and KAFKA_CONTROLLER_PORT (KAFKA_PORT+1) choose the listeners;
#   data lives in $CANOPY_STACK_DIR/kafka-$KAFKA_PORT and survives stop/start.
source "$(dirname "$0")/lib.sh"

PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
HEAP="${KAFKA_HEAP:-512m}"
LIBS="$REPO/deploy/kafka/target/libs"
DIR="$STACK_DIR/kafka-$PORT"
PIDFILE="$DIR/kafka.pid"
OUT="$DIR/kafka.out"

build() {
  if ! compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null || ! compgen -G "$LIBS/kafka-tools-[0-9]*.jar" >/dev/null; then
    need_java
    log "fetching Apache Kafka jars from Maven Central (first run only, ~120 MB)..."
    maven_fetch "$REPO/deploy/kafka/pom.xml"
  fi
}

java_opts() {
  echo "-Xms$HEAP -Xmx$HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true" \
       "-Dlog4j2.configurationFile=$REPO/deploy/kafka/log4j2.properties -Dkafka.logs.dir=$DIR/logs"
}

write_config() {
  mkdir -p "$DIR/data" "$DIR/logs"
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=3
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.cleaner.dedupe.buffer.size=16777216
PROPS
}

start() {
  with_lock "kafka-$PORT"
  if pid_alive "$PIDFILE"; then log "kafka already running on 127.0.0.1:$PORT"; return 0; fi
  build
  need_java
  refuse_taken_port "$PORT" "Kafka" KAFKA_PORT
  refuse_taken_port "$CONTROLLER_PORT" "Kafka's controller" KAFKA_CONTROLLER_PORT
  write_config
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local cid
    cid=$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    # shellcheck disable=SC2046
    java $(java_opts) -cp "$LIBS/*" kafka.tools.StorageTool format --standalone \
      -t "$cid" -c "$DIR/server.properties" >"$DIR/format.out" 2>&1 \
      || { cat "$DIR/format.out" >&2; die "kafka storage format failed"; }
  fi
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" >"$OUT" 2>&1 9>&- &
  record_pid "$PIDFILE" $!
  wait_for_port 127.0.0.1 "$PORT" 120 "$PIDFILE" "$OUT" || die "kafka did not start"
  local waited=0
  until grep -q "Kafka Server started" "$OUT"; do
    (( waited < 600 )) || die "kafka opened its port but never logged 'Kafka Server started' (see $OUT)"
    sleep 0.1; waited=$((waited + 1))
  done
  log "kafka ready on 127.0.0.1:$PORT"
}

# stop_all: stop every broker of this stack directory, whatever its port (`make down`).
stop_all() {
  local dir
  for dir in "$STACK_DIR"/kafka-*; do
    [ -f "$dir/kafka.pid" ] || continue
    stop_pidfile "$dir/kafka.pid" 20
    log "kafka on :${dir##*/kafka-} stopped"
  done
}

# The tools by the names of the kafka-*.sh scripts of Kafka's own distribution, minus "kafka-".
tool_class() {
  case "$1" in
    topics) echo org.apache.kafka.tools.TopicCommand ;;
    console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
    groups) echo org.apache.kafka.tools.GroupsCommand ;;
    get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    configs) echo kafka.admin.ConfigCommand ;;
    log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    dump-log) echo org.apache.kafka.tools.DumpLogSegments ;;
    metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    features) echo org.apache.kafka.tools.FeatureCommand ;;
    cluster) echo org.apache.kafka.tools.ClusterTool ;;
    broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    acls) echo org.apache.kafka.tools.AclCommand ;;
    producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
    *) return 1 ;;
  esac
}
TOOLS="topics console-consumer console-producer consumer-groups share-groups groups get-offsets
delete-records configs log-dirs dump-log metadata-quorum features cluster broker-api-versions
reassign-partitions leader-election transactions acls producer-perf-test consumer-perf-test"

# tools TOOL ARGS...: runs one tool on the broker's own classpath. Unless the arguments name a
# --bootstrap-server or --bootstrap-controller, the tool is pointed at this stack's broker.
tools() {
  local name=${1:-} class arg
  if [ -z "$name" ] || ! class=$(tool_class "$name"); then
    [ -z "$name" ] || log "unknown tool: $name"
    log "usage: $0 tools TOOL [ARGS...]   (KAFKA_PORT=$PORT)"
    log "tools: $(echo $TOOLS)"
    log "e.g.:  $0 tools topics --list"
    log "       $0 tools console-consumer --topic inventory.batch.events --from-beginning --formatter-property print.key=true"
    log "       $0 tools consumer-groups --describe --all-groups"
    [ -n "$name" ] && exit 2 || exit 0
  fi
  shift
  build
  need_java
  local args=("$@") targeted=""
  for arg in "${args[@]}"; do
    case "$arg" in --bootstrap-server*|--bootstrap-controller*) targeted=1 ;; esac
  done
  if [ -z "$targeted" ] && [ "$name" != dump-log ]; then
    port_open 127.0.0.1 "$PORT" \
      || die "no kafka on 127.0.0.1:$PORT: start the stack (make up) or set KAFKA_PORT"
    args+=(--bootstrap-server "127.0.0.1:$PORT")
  fi
  # A short-lived client: small heap, no JIT warm-up worth waiting for.
  exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$REPO/deploy/kafka/tools-log4j2.properties" \
    -cp "$LIBS/*" "$class" "${args[@]}"
}

case "${1:-}" in
  build) build ;;
  stop-all) stop_all ;;
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 20; log "kafka on :$PORT stopped" ;;
  kill) if pid_alive "$PIDFILE"; then kill -KILL "$(pid_of "$PIDFILE")"; fi; rm -f "$PIDFILE" ;;
  status) if pid_alive "$PIDFILE"; then echo "kafka running on 127.0.0.1:$PORT"; else echo "kafka stopped"; exit 1; fi ;;
  wipe) stop_pidfile "$PIDFILE" 20; rm -rf "$DIR" ;;
  tools) shift; tools "$@" ;;
  *) die "usage: $0 build|start|stop|stop-all|kill|status|wipe|tools [TOOL [ARGS...]]" ;;
esac
