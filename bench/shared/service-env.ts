/**
 * The few environment variables the comparison apps (the OpenTelemetry peer and the bare
 * node:http pair) read: the same names as the project's services, so the bench starts
 * every chain the same way.
 */
export interface PeerEnv {
  app: 'hello' | 'formatter';
  port: number;
  formatterUrl: string;
  professor: boolean;
  logLevel: string;
  formatterTimeoutMs: number;
}

export function readPeerEnv(env: NodeJS.ProcessEnv = process.env): PeerEnv {
  const app = env['app_name'] ?? env['APP_NAME'];
  if (app !== 'hello' && app !== 'formatter')
    throw new Error(`app_name must be hello or formatter, got "${app ?? ''}"`);
  const host = env['formatter_host'] ?? env['FORMATTER_HOST'] ?? '127.0.0.1';
  const formatterPort = env['formatter_port'] ?? env['FORMATTER_PORT'] ?? '8080';
  return {
    app,
    port: Number(env['PORT'] ?? 8080),
    formatterUrl: `http://${host}:${formatterPort}`,
    professor: (env['professor'] ?? env['PROFESSOR']) === 'true',
    logLevel: env['LOG_LEVEL'] ?? 'info',
    formatterTimeoutMs: Number(env['FORMATTER_TIMEOUT_MS'] ?? 2000),
  };
}

/** Ends the process on SIGTERM/SIGINT after `stop` (bounded, like the real services). */
export function onShutdown(stop: () => Promise<void>, deadlineMs = 5000): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), deadlineMs).unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
