#!/usr/bin/env bash
# What a user does with the chain on Kubernetes + Istio (see deploy/README.md):
#
#   hello-k8s.sh load-image                 put the hello-app image into a kind or minikube cluster
#   hello-k8s.sh apply  [SHAPE|both]        kubectl apply -k deploy/overlays/SHAPE (default: both)
#   hello-k8s.sh delete [SHAPE|both]        kubectl delete -k ...
#   hello-k8s.sh gateway-url                print the ingress gateway's URL
#   hello-k8s.sh try    [SHAPE|both]        send requests with and without a Netscape user agent
#   hello-k8s.sh jaeger                     port-forward Jaeger's UI to http://localhost:16686/jaeger
#   hello-k8s.sh logs   SERVICE [SHAPE]     follow a service's logs (hello | formatter; default opentracing)
#
# SHAPE is opentracing or headers-only; each lives in namespace hello-SHAPE and answers
# at the gateway for the host SHAPE.hello.local. Environment: IMAGE (default
# hello-app:latest), INGRESS_NS (istio-system), INGRESS_SVC (istio-ingressgateway).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shapes=(opentracing headers-only)
image="${IMAGE:-hello-app:latest}"
ingress_ns="${INGRESS_NS:-istio-system}"
ingress_svc="${INGRESS_SVC:-istio-ingressgateway}"

die() {
  echo "hello-k8s.sh: $*" >&2
  exit 1
}

shapes_of() {
  case "${1:-both}" in
    both) echo "${shapes[@]}" ;;
    opentracing | headers-only) echo "$1" ;;
    *) die "unknown shape '$1': use opentracing, headers-only or both" ;;
  esac
}

load_image() {
  local context
  context="$(kubectl config current-context)"
  case "$context" in
    kind-*) kind load docker-image "$image" --name "${context#kind-}" ;;
    minikube) minikube image load "$image" ;;
    *) die "context '$context' is neither kind nor minikube: push $image to a registry the cluster pulls from, and set the image in the overlays (kustomize edit set image hello-app=REGISTRY/hello-app:TAG)" ;;
  esac
}

gateway_url() {
  local host port
  host="$(kubectl -n "$ingress_ns" get svc "$ingress_svc" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')"
  [[ -n "$host" ]] || host="$(kubectl -n "$ingress_ns" get svc "$ingress_svc" -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')"
  if [[ -n "$host" ]]; then
    port="$(kubectl -n "$ingress_ns" get svc "$ingress_svc" -o jsonpath='{.spec.ports[?(@.name=="http2")].port}')"
  else
    # no load balancer (kind, minikube without a tunnel): a node's address and the NodePort
    port="$(kubectl -n "$ingress_ns" get svc "$ingress_svc" -o jsonpath='{.spec.ports[?(@.name=="http2")].nodePort}')"
    if [[ "$(kubectl config current-context)" == minikube ]]; then
      host="$(minikube ip)"
    else
      host="$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')"
    fi
  fi
  [[ -n "$host" && -n "$port" ]] || die "cannot tell the address of $ingress_ns/$ingress_svc; try: kubectl -n $ingress_ns port-forward svc/$ingress_svc 8080:80 (then the URL is http://localhost:8080)"
  echo "http://$host:$port"
}

try_requests() {
  local url shape selected
  selected="$(shapes_of "${1:-both}")"
  url="${GATEWAY_URL:-$(gateway_url)}"
  for shape in $selected; do
    echo "== $shape ($shape.hello.local at $url)"
    for path in /sayHello/Bender /sayHello2/Leela; do
      printf '%-22s %-9s ' "$path" curl
      curl -sS -H "Host: $shape.hello.local" "$url$path"
      printf '%-22s %-9s ' "$path" Netscape
      curl -sS -H "Host: $shape.hello.local" -A 'Mozilla/4.0 (compatible; Netscape 4.7)' "$url$path"
    done
  done
}

command="${1:-help}"
shift || true
case "$command" in
  load-image) load_image ;;
  apply | delete)
    selected="$(shapes_of "${1:-both}")"
    for shape in $selected; do
      if [[ "$command" == apply ]]; then
        kubectl apply -k "$root/deploy/overlays/$shape"
      else
        kubectl delete --ignore-not-found -k "$root/deploy/overlays/$shape"
      fi
    done
    ;;
  gateway-url) gateway_url ;;
  try) try_requests "${1:-both}" ;;
  jaeger)
    echo "Jaeger UI: http://localhost:16686/jaeger (Ctrl+C to stop)" >&2
    exec kubectl -n istio-system port-forward svc/tracing 16686:80
    ;;
  logs)
    service="${1:-}"
    [[ "$service" == hello || "$service" == formatter ]] || die "logs needs a service: hello or formatter"
    shape="$(shapes_of "${2:-opentracing}")"
    exec kubectl -n "hello-$shape" logs -f --prefix --tail=50 --max-log-requests=10 \
      -l "app=$service" -c "$service"
    ;;
  help | -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown command '$command' (try: help)" ;;
esac
