#!/usr/bin/env bash
# Plays the Istio ingress gateway for one request, without a mesh: makes a 128-bit trace
# and a span id, sends the request with Envoy's B3 headers and an x-request-id, then
# reports the gateway's SERVER span to Jaeger as Zipkin v2 JSON, as Envoy does.
#
#   scripts/jaeger-ingress.sh URL [extra curl arguments...]
#   scripts/jaeger-ingress.sh http://localhost:8080/sayHello/Fry -A 'Mozilla/3.0 (Netscape; I)'
#
# Prints the answer on stdout and the trace id on stderr (last line: `trace <id>`).
# Environment: ZIPKIN_URL (default http://127.0.0.1:9411/api/v2/spans),
# JAEGER_QUERY_URL (default http://localhost:16686, only for the printed link).
set -euo pipefail

[[ $# -ge 1 ]] || {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
url="$1"
shift
zipkin="${ZIPKIN_URL:-http://127.0.0.1:9411/api/v2/spans}"

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
trace_id="$(hex 16)"
span_id="$(hex 8)"
request_id="$(cat /proc/sys/kernel/random/uuid 2>/dev/null || echo "$(hex 4)-$(hex 2)-$(hex 2)-$(hex 2)-$(hex 6)")"
path="/${url#*://*/}"

start_us="$(date +%s%6N)"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
status="$(curl -sS -o "$body" -w '%{http_code}' \
  -H "x-b3-traceid: $trace_id" -H "x-b3-spanid: $span_id" -H 'x-b3-sampled: 1' \
  -H "x-request-id: $request_id" "$@" "$url")" || status=503
end_us="$(date +%s%6N)"
cat "$body"
# keep the answer on its own line
[[ -s "$body" && -n "$(tail -c1 "$body")" ]] && echo

error_tag=''
((status >= 500)) && error_tag=', "error": "true"'
span="$(
  cat <<JSON
[{
  "traceId": "$trace_id", "id": "$span_id", "kind": "SERVER",
  "name": "hello.default.svc.cluster.local:8080/*",
  "timestamp": $start_us, "duration": $((end_us - start_us)),
  "localEndpoint": {"serviceName": "istio-ingressgateway"},
  "tags": {"component": "proxy", "http.method": "GET", "http.url": "http://hello.example.com$path",
           "http.status_code": "$status", "guid:x-request-id": "$request_id"$error_tag}
}]
JSON
)"
curl -fsS -o /dev/null -H 'content-type: application/json' --data-binary "$span" "$zipkin" ||
  echo "jaeger-ingress.sh: could not report the ingress span to $zipkin" >&2

echo "ingress: HTTP $status, x-request-id $request_id" >&2
echo "see: ${JAEGER_QUERY_URL:-http://localhost:16686}/trace/$trace_id" >&2
echo "trace $trace_id" >&2
