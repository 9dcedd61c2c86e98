/**
 * Where the real Jaeger listens (scripts/jaeger.sh starts it on these defaults; the mesh
 * uses the one running), and the two ways a service outside the mesh reports to it.
 */
const env = process.env;

export const JAEGER_QUERY_URL = env['JAEGER_QUERY_URL'] ?? 'http://127.0.0.1:16686';

/** jaeger-client over UDP to the agent port (Thrift binary), as a DaemonSet agent would be used. */
export const VIA_AGENT: Record<string, string> = {
  JAEGER_AGENT_HOST: env['E2E_JAEGER_AGENT_HOST'] ?? '127.0.0.1',
  JAEGER_AGENT_PORT: env['E2E_JAEGER_AGENT_PORT'] ?? '6832',
};

/** jaeger-client over HTTP straight to the collector (Thrift over HTTP). */
export const VIA_COLLECTOR: Record<string, string> = {
  JAEGER_ENDPOINT: env['E2E_JAEGER_ENDPOINT'] ?? 'http://127.0.0.1:14268/api/traces',
};
