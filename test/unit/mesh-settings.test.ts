import { INTERNAL_PORT_COUNT, localPlan } from '../../mesh/addresses.js';
import { propagationFor, readSettings, SettingsError } from '../../mesh/settings.js';
import { WORKLOADS } from '../../mesh/topology.js';

describe("npm run mesh's settings", () => {
  it('default to the ports docker compose publishes, Zipkin, and the shared cache folder', () => {
    expect(readSettings({ HOME: '/home/u' })).toMatchObject({
      tracing: 'zipkin',
      port: 8080,
      headersOnlyPort: 8090,
      internalPortBase: 18000,
      cacheDir: '/home/u/.cache/hello-app',
    });
    expect(readSettings({ HELLO_APP_CACHE: '/c', MESH_TRACING: 'OTEL' })).toMatchObject({
      tracing: 'otel',
      cacheDir: '/c',
    });
  });

  it.each([
    [{ MESH_TRACING: 'jaeger' }, 'MESH_TRACING="jaeger" is not valid; choose zipkin or otel'],
    [{ MESH_PORT: '80a' }, 'MESH_PORT="80a" must be a port number from 1 to 65535'],
    [{ MESH_HEADERS_ONLY_PORT: '8080' }, 'MESH_PORT and MESH_HEADERS_ONLY_PORT are both 8080'],
    [{ MESH_PORT: '18005' }, 'MESH_PORT=18005 falls inside the internal ports 18000-18017'],
    [{ MESH_INTERNAL_PORT_BASE: '65530' }, 'MESH_INTERNAL_PORT_BASE="65530" must be a port number'],
  ])('refuse %j in one line', (env, message) => {
    expect(() => readSettings(env)).toThrow(SettingsError);
    expect(() => readSettings(env)).toThrow(message);
  });

  it('give the services the propagation each provider speaks: B3 for Zipkin, W3C for OpenTelemetry', () => {
    expect(propagationFor('zipkin')).toBe('b3');
    expect(propagationFor('otel')).toBe('w3c');
  });

  it('lay out distinct internal ports, all inside the documented range', () => {
    const plan = localPlan({
      gateway: 8080,
      headersOnlyGateway: 8090,
      internalBase: 18000,
      jaegerHost: '127.0.0.1',
    });
    const ports = WORKLOADS.flatMap((w) => {
      const own = plan.workloads.get(w);
      return own ? [own.app.port, own.inbound.port, own.outbound.port] : [];
    });
    expect(new Set(ports).size).toBe(INTERNAL_PORT_COUNT);
    expect(Math.min(...ports)).toBe(18000);
    expect(Math.max(...ports)).toBe(18000 + INTERNAL_PORT_COUNT - 1);
  });
});
