# Shared helpers for the native-stack scripts. Sourced, not run.
# Every script is idempotent: start on a running component is a no-op, stop on a stopped one too.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${CANOPY_STACK_DIR:-$REPO/.stack}"
mkdir -p "$STACK_DIR"

# Origins the gateway lets browsers call it from (CORS) on the native stack: the web application's
# development server (Vite) unless GATEWAY_CORS_ORIGINS says otherwise. The gateway itself allows
# none unless told (the application it serves at / is same-origin).
CORS_ORIGINS="${GATEWAY_CORS_ORIGINS-http://localhost:5173,http://127.0.0.1:5173}"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Pid files hold "PID STARTTIME": a pid alone can name an unrelated process after a reboot, and
# neither "already running" nor a SIGKILL may trust it then.
proc_start() { sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
record_pid() { printf '%s %s\n' "$2" "$(proc_start "$2")" >"$1"; }
pid_of() { local pid _; read -r pid _ <"$1"; echo "$pid"; }
pid_alive() {
  local pid start
  [ -f "$1" ] || return 1
  read -r pid start <"$1" || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -z "${start:-}" ] || [ "$(proc_start "$pid")" = "$start" ]
}

# with_lock NAME: hold an exclusive lock for the rest of the script (two test sessions starting the
# same component at once would otherwise race).
with_lock() {
  exec 9>"$STACK_DIR/.$1.lock"
  flock 9
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# port_holder PORT: "pid N (command line)" of the process listening on PORT, found through
# /proc (the socket's inode in /proc/net/tcp*, then the process holding that inode).
port_holder() {
  local hex inode fd pid
  hex=$(printf ':%04X' "$1")
  inode=$(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10; exit }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  if [ -n "$inode" ] && [ "$inode" != 0 ]; then
    for fd in /proc/[0-9]*/fd/*; do
      if [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ]; then
        pid=${fd#/proc/}; pid=${pid%%/*}
        printf 'pid %s (%s)' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"
        return 0
      fi
    done
  fi
  printf 'a process this user cannot see'
}

# refuse_taken_port PORT WHAT VARIABLE: die naming the holder when PORT is already in use.
refuse_taken_port() {
  if port_open 127.0.0.1 "$1"; then
    die "port $1 ($2) is taken by $(port_holder "$1"); stop it or choose another port with $3"
  fi
}

# wait_for_port HOST PORT SECONDS PIDFILE LOGFILE: fails fast if the process dies while we wait.
wait_for_port() {
  local host=$1 port=$2 timeout=$3 pidfile=$4 logfile=$5 waited=0
  until port_open "$host" "$port"; do
    if ! pid_alive "$pidfile"; then
      log "the process died before opening $host:$port; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    if (( waited >= timeout * 10 )); then
      log "timed out after ${timeout}s waiting for $host:$port; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
}

# stop_pidfile PIDFILE SECONDS: SIGTERM for a clean shutdown, SIGKILL after the grace period.
stop_pidfile() {
  local pidfile=$1 grace=${2:-15} pid waited=0
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(pid_of "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= grace * 10 )); then kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.1; waited=$((waited + 1))
  done
  rm -f "$pidfile"
}

need_java() {
  command -v java >/dev/null || die "Java 17+ is needed: apt-get install -y openjdk-17-jre-headless"
  command -v mvn >/dev/null || die "Maven is needed to fetch jars: apt-get install -y maven"
}

# maven_fetch POM: collect a pom's jars, showing how many artifacts have been downloaded so far.
maven_fetch() {
  local pom=$1 count=0 line rc
  mvn -B -f "$pom" package 2>&1 | {
    while IFS= read -r line; do
      case "$line" in
        *"Downloaded from"*) count=$((count + 1)); printf '\r  %d artifacts downloaded' "$count" >&2 ;;
        *"[ERROR]"*) printf '\n%s' "$line" >&2 ;;
      esac
    done
    printf '\n' >&2
  }
  rc=${PIPESTATUS[0]}
  return "$rc"
}
