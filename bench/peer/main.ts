/**
 * Entry of the OpenTelemetry peer (app_name=hello|formatter, PORT, formatter_host/port,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). The SDK starts before the services' modules load,
 * as OpenTelemetry requires for auto-instrumentation.
 */
import { readPeerEnv, onShutdown } from '../shared/service-env.js';
import { createLogger } from './log.js';
import { startTelemetry } from './telemetry.js';

const env = readPeerEnv();
const sdk = startTelemetry(env.app);
const { startPeer } = await import('./services.js');
const logger = createLogger(env.app, env.logLevel);
const server = await startPeer(env, logger);
logger.info('listening', { port: env.port, tracing: 'opentelemetry' });
onShutdown(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await sdk.shutdown();
});
