/**
 * Where the real Jaeger listens (scripts/jaeger.sh starts it on these defaults), and
 * the two ways the services report to it, as a deployment would configure them.
 */
const env = process.env;

export const JAEGER_QUERY_URL = env['JAEGER_QUERY_URL'] ?? 'http://127.0.0.1:16686';
export const JAEGER_HEALTH_URL = env['E2E_JAEGER_HEALTH_URL'] ?? 'http://127.0.0.1:13133/status';
/** Envoy's way in: Zipkin v2 JSON. */
export const ZIPKIN_URL = env['E2E_ZIPKIN_URL'] ?? 'http://127.0.0.1:9411/api/v2/spans';

/** jaeger-client over UDP to the agent port (Thrift binary), as a DaemonSet agent would be used. */
export const VIA_AGENT: Record<string, string> = {
  JAEGER_AGENT_HOST: env['E2E_JAEGER_AGENT_HOST'] ?? '127.0.0.1',
  JAEGER_AGENT_PORT: env['E2E_JAEGER_AGENT_PORT'] ?? '6832',
};

/** jaeger-client over HTTP straight to the collector (Thrift over HTTP). */
export const VIA_COLLECTOR: Record<string, string> = {
  JAEGER_ENDPOINT: env['E2E_JAEGER_ENDPOINT'] ?? 'http://127.0.0.1:14268/api/traces',
};
