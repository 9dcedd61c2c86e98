/** npm run mesh passes the runner's JAEGER_SAMPLER_* on to the instrumented services. */
import { localPlan } from '../../mesh/addresses.js';
import { serviceEnv } from '../../mesh/mesh.js';
import { readSettings } from '../../mesh/settings.js';
import { WORKLOADS } from '../../mesh/topology.js';

function envs(runner: Record<string, string>): Record<string, Record<string, string>> {
  const settings = readSettings(runner);
  const plan = localPlan({
    gateway: settings.port,
    headersOnlyGateway: settings.headersOnlyPort,
    internalBase: settings.internalPortBase,
    jaegerHost: settings.jaegerHost,
  });
  return Object.fromEntries(
    WORKLOADS.map((w) => [
      `${w.shape.tracingMode} ${w.app} ${w.version}`,
      serviceEnv(w, plan, settings),
    ]),
  );
}

const sampling = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('JAEGER_SAMPLER_')));

describe('npm run mesh and JAEGER_SAMPLER_*', () => {
  it('passes none when none is set: the services keep their default (const 1)', () => {
    for (const env of Object.values(envs({}))) expect(sampling(env)).toEqual({});
  });

  it('passes those set to every instrumented service, none to the headers-only ones', () => {
    const runner = {
      JAEGER_SAMPLER_TYPE: 'remote',
      JAEGER_SAMPLER_PARAM: '0.01',
      JAEGER_SAMPLER_MANAGER_HOST_PORT: 'sampling.example:5778',
      JAEGER_SAMPLER_REFRESH_INTERVAL: '5000',
      JAEGER_TAGS: 'not=passed',
    };
    const all = envs(runner);
    expect(Object.keys(all)).toHaveLength(6);
    for (const [workload, env] of Object.entries(all)) {
      const expected = workload.startsWith('instrumented')
        ? {
            JAEGER_SAMPLER_TYPE: 'remote',
            JAEGER_SAMPLER_PARAM: '0.01',
            JAEGER_SAMPLER_MANAGER_HOST_PORT: 'sampling.example:5778',
            JAEGER_SAMPLER_REFRESH_INTERVAL: '5000',
          }
        : {};
      expect([workload, sampling(env)]).toEqual([workload, expected]);
    }
  });

  it("remote without an endpoint asks the mesh's own Jaeger (JAEGER_LISTEN_HOST)", () => {
    const env = envs({ JAEGER_SAMPLER_TYPE: 'remote', JAEGER_LISTEN_HOST: '127.0.0.9' })[
      'instrumented hello v1'
    ];
    expect(env?.['JAEGER_SAMPLER_MANAGER_HOST_PORT']).toBe('127.0.0.9:5778');
  });
});
