#!/usr/bin/env bash
# The README's first hour, as a stranger runs it: clone into an empty folder, the two Quick
# start commands (the explorer page at / included), then, with the server still running, create a
# key, import a CSV and record a mutation with that key. No other step. Exits non-zero, saying which step, if any fails.
#
#   bash scripts/first-hour.sh [repository]      (default: this checkout)
#   FIRST_HOUR_SKIP_TEST=1 ...                   skip `pnpm test` (CI has just run it on its own clean clone)
set -euo pipefail
repo=${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -- "-$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "first hour: $*" >&2; exit 1; }

git clone -q "$repo" "$work/minergraph"
cd "$work/minergraph"
echo "--- pnpm install && pnpm start (in $work/minergraph)"
pnpm install --frozen-lockfile >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "pnpm install failed"; }
# PORT=0: the README's 4000 may be taken on this machine; the URL is read from the log.
PORT=0 setsid pnpm start >"$work/server.log" 2>&1 &
server=$!
url=
for _ in $(seq 1 600); do
  url=$(grep -o '"url":"http://[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4 || true)
  if [ -n "$url" ] && curl -sf "${url%/graphql}/readyz" >/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; fail "pnpm start exited"; }
  sleep 0.2
done
[ -n "$url" ] || fail "the server did not print its URL"
echo "serving at $url"

# pnpm start built the explorer page: / is it, and its script is served from this server.
page=$(curl -sf "${url%/graphql}/" -H 'accept: text/html') || fail "GET / failed"
script=$(grep -o '/explorer/explorer-[A-Za-z0-9]*\.js' <<<"$page" | head -1)
[ -n "$script" ] || fail "GET / is not the explorer page: $(head -c 300 <<<"$page")"
curl -sf -o /dev/null "${url%/graphql}$script" || fail "the explorer's script $script is not served"

if [ "${FIRST_HOUR_SKIP_TEST:-}" != 1 ]; then
  echo "--- pnpm test"
  pnpm test || fail "pnpm test failed on a clean clone"
fi

echo "--- with the server running: a key, an import, a mutation with the key"
key=$(pnpm -s minergraph keys create --role editor --name first-hour) || fail "keys create failed"
[[ "$key" =~ ^mg_[A-Za-z0-9_-]{32}$ ]] || fail "keys create printed '$key', not a key"

printf 'at,open,high,low,close,volume\n2030-01-02T00:00:00Z,100,110,90,105.5,7\n' >btc.csv
pnpm -s minergraph prices import btc.csv --symbol BTC || fail "prices import failed"
price=$(curl -sf "$url" -H 'content-type: application/json' \
  -d '{"query":"{ asset(symbol: \"BTC\") { priceAt(at: \"2030-01-02T00:00:00Z\") { priceUsd } } }"}')
[ "$price" = '{"data":{"asset":{"priceAt":{"priceUsd":"105.5"}}}}' ] || fail "the import did not show in the next query: $price"

created=$(curl -sf "$url" -H 'content-type: application/json' -H "authorization: Bearer $key" \
  -d '{"query":"mutation { createAsset(input: { symbol: \"ETH\", name: \"Ether\", kind: CRYPTO }) { asset { symbol } userErrors { code } } }"}')
[ "$created" = '{"data":{"createAsset":{"asset":{"symbol":"ETH"},"userErrors":[]}}}' ] || fail "the mutation with the new key failed: $created"

# As Ctrl-C does: SIGINT to the whole process group, pnpm and the server under it.
kill -INT -- "-$server"
wait "$server" || true
server=
grep -q 'stopped cleanly' "$work/server.log" || { tail -5 "$work/server.log"; fail "the server did not stop cleanly"; }
echo "first hour: passed"
