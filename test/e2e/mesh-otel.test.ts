/** The mesh with Istio's OpenTelemetry provider: Envoy speaks W3C traceparent, the services JAEGER_PROPAGATION=w3c. */
import { describeMesh } from './helpers/mesh-suite.js';

describeMesh('otel');
