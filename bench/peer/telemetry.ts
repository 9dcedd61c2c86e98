/**
 * The OpenTelemetry setup a team would write today: the Node SDK with the http and
 * express auto-instrumentations, W3C trace context + baggage (the SDK's default
 * propagators), parent-based always-on sampling (the default), and a batch span processor
 * exporting OTLP/HTTP protobuf to the bench's sink. Only the flush delay is set, to the
 * same interval jaeger-client flushes on, so both report equally often.
 */
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';

export function startTelemetry(serviceName: string): NodeSDK {
  // traces only: the SDK would otherwise start OTLP metric and log exporters from the env
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  const url = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  const flushMs = Number(process.env['OTEL_BSP_SCHEDULE_DELAY'] ?? 5000);
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [
      new tracing.BatchSpanProcessor(new OTLPTraceExporter(url ? { url } : {}), {
        scheduledDelayMillis: flushMs,
      }),
    ],
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
  });
  sdk.start();
  return sdk;
}
