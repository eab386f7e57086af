#!/usr/bin/env bash
# Set up policyc on a fresh Debian/Ubuntu machine: system packages (graphviz for the process
# maps, chromium for the browser test of the docs site, python3-venv where Python lacks venv, the
# PostgreSQL server and a Java runtime for the tests that run the generated SQL inside PostgreSQL and
# Spark), then a virtual environment in .venv with policyc, its development tools, the site tools
# (mkdocs, the `site` extra) and Spark (the `spark` extra). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "setup: $PY not found: install Python 3.11 or newer (or set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: policyc needs Python 3.11 or newer; $PY is $("$PY" -V 2>&1) (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# nodejs alone first: NodeSource's nodejs carries npm and conflicts with Debian's npm package
command -v npm >/dev/null 2>&1 || need+=(nodejs)
[ -x .venv/bin/python ] || "$PY" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
# the tests start a private PostgreSQL server (tests/pg_server.py): initdb and postgres, any version
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
# Spark 4 runs on Java 17 or newer (Debian 12's default runtime is 17)
java_ok() { command -v java >/dev/null 2>&1 && [ "$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)" -ge 17 ] 2>/dev/null; }
java_ok || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    if ! command -v npm >/dev/null 2>&1; then  # Debian's own nodejs comes without npm
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
  else
    echo "setup: please install ${need[*]} with your system's package manager" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
log=$(mktemp)
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev,site,spark]' >"$log" 2>&1; then
  grep -v "is ignored: it is neither" "$log" >&2 || true
  echo "setup: installing policyc into .venv failed (above)" >&2
  exit 1
fi
rm -f "$log"
# @vscode/vsce, which packages the VS Code extension in CI, needs Node.js 20 or newer, and Debian 12's
# nodejs is 18: put Node.js 20 from the npm registry (the node-linux-ARCH package) in .venv/bin
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] && [ ! -x .venv/bin/node ]; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch="" ;; esac
  if [ -z "$arch" ]; then
    echo "setup: Node.js $node_major is older than 20, which packaging the VS Code extension needs; install Node.js 20" >&2
    exit 1
  fi
  echo "setup: Node.js $node_major is older than 20: installing Node.js 20 into .venv from the npm registry"
  npm install --prefix .venv/node --no-audit --no-fund --silent "node-linux-$arch@20" >"$log" 2>&1 || {
    cat "$log" >&2; echo "setup: installing Node.js 20 failed (above)" >&2; exit 1; }
  ln -sf "$PWD/.venv/node/node_modules/node-linux-$arch/bin/node" .venv/bin/node
fi
# the VS Code extension's client and the TextMate tokenizer its grammar is tested with; axe-core for
# the accessibility test of the site
for dir in editors/vscode tests/browser; do
  if ! (cd "$dir" && npm ci --no-audit --no-fund --silent >"$log" 2>&1); then
    cat "$log" >&2
    echo "setup: npm ci in $dir failed (above)" >&2
    exit 1
  fi
done
rm -f "$log"
.venv/bin/policyc --version
