/**
 * A pod stopped right after a request: the spans its tracer still buffers must be
 * flushed on SIGTERM, over UDP and over HTTP. (Formatter down is asserted through the
 * real mesh, in the mesh suites.) No mesh here: the request carries its own
 * x-request-id, and the trace is found in Jaeger by that tag.
 */
import { randomUUID } from 'node:crypto';
import { VIA_AGENT, VIA_COLLECTOR } from './helpers/endpoints.js';
import { jaeger, names } from './helpers/jaeger.js';
import { eventually } from './helpers/poll.js';
import { serviceEnv, startService, stopAll } from './helpers/services.js';
import type { ServiceProcess } from './helpers/services.js';

const started: ServiceProcess[] = [];

async function start(...args: Parameters<typeof startService>): Promise<ServiceProcess> {
  const service = await startService(...args);
  started.push(service);
  return service;
}

afterAll(() => stopAll(started));

describe('stopped right after the request', () => {
  it('flushes the buffered spans on SIGTERM, over UDP and over HTTP', async () => {
    // a flush interval far beyond the test: only the shutdown flush can deliver the spans
    const slow = { JAEGER_REPORTER_FLUSH_INTERVAL: '60000' };
    const formatter = await start({
      label: 'formatter (slow flush)',
      env: serviceEnv('formatter', VIA_COLLECTOR, slow),
    });
    const hello = await start({
      label: 'hello (slow flush)',
      env: serviceEnv('hello', VIA_AGENT, {
        ...slow,
        formatter_host: '127.0.0.1',
        formatter_port: String(formatter.port),
      }),
    });
    const requestId = randomUUID();
    const response = await fetch(`${hello.url}/sayHello/Kif`, {
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);

    const [helloExit, formatterExit] = await Promise.all([hello.stop(), formatter.stop()]);
    expect([helloExit, formatterExit]).toEqual([0, 0]);
    const trace = await eventually('the trace of the stopped services', async () => {
      const [found] = await jaeger.search({
        service: 'hello',
        tags: { 'guid:x-request-id': requestId },
        lookbackMs: 10 * 60_000,
        limit: 5,
      });
      return found && found.spans.length >= 4 ? found : undefined;
    });
    expect(names(trace)).toEqual([
      'formatter: GET /formatGreeting',
      'formatter: format-greeting',
      'hello: GET /formatGreeting',
      'hello: GET /sayHello/:name',
    ]);
  });
});
