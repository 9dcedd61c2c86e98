/**
 * The physical limit for two hops on this machine: hello → formatter as bare node:http
 * servers doing the same work (route, name check, keep-alive call, the same template and
 * headers) with no framework, no logging and no tracing.
 */
import { Agent, createServer, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatGreeting } from '../../src/services/formatter/greeting.js';
import { checkName } from '../../src/services/name.js';
import { onShutdown, readPeerEnv } from '../shared/service-env.js';

const env = readPeerEnv();
const agent = new Agent({ keepAlive: true });

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function callFormatter(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = `${env.formatterUrl}/formatGreeting?name=${encodeURIComponent(name)}`;
    const req = get(url, { agent, timeout: env.formatterTimeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const HELLO = /^\/sayHello\/([^/?]+)$/;

function hello(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path === '/health' || path === '/ready') return answer(res, 200, 'ok\n');
  const match = HELLO.exec(path);
  if (req.method !== 'GET' || !match) return answer(res, 404, 'no route\n');
  let raw: string;
  try {
    raw = decodeURIComponent(match[1] ?? '');
  } catch {
    return answer(res, 400, 'bad name\n');
  }
  const check = checkName(raw);
  if (!check.ok) return answer(res, 400, `${check.message}\n`);
  callFormatter(check.name).then(
    (greeting) => answer(res, 200, greeting),
    () => answer(res, 502, 'formatter is unavailable\n'),
  );
}

function formatter(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://formatter');
  if (url.pathname === '/health' || url.pathname === '/ready') return answer(res, 200, 'ok\n');
  if (req.method !== 'GET' || url.pathname !== '/formatGreeting')
    return answer(res, 404, 'no route\n');
  const names = url.searchParams.getAll('name');
  const check = checkName(names.length > 1 ? names : names[0]);
  if (!check.ok) return answer(res, 400, `${check.message}\n`);
  answer(res, 200, formatGreeting(env.professor ? 'v2' : 'v1', check.name));
}

const server = createServer(env.app === 'hello' ? hello : formatter);
server.keepAliveTimeout = 65_000;
server.listen(env.port, '127.0.0.1');
onShutdown(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
);
