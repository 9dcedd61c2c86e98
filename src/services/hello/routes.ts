import { Router } from 'express';
import type { Response } from 'express';
import { sendText } from '../../http/text.js';
import { UpstreamError } from '../../tracing/client.js';
import { activeSpan } from '../../tracing/context.js';
import { serverSpan } from '../../tracing/middleware.js';
import type { Tracing } from '../../tracing/tracer.js';
import { checkName } from '../name.js';
import type { FormatterClient } from './formatter-client.js';

/** A formatter that is down is a 502, one that is too slow a 504; hello itself stays ready. */
function answerFormatterFailure(res: Response, error: unknown): void {
  if (!(error instanceof UpstreamError)) throw error;
  if (error.kind === 'timeout') sendText(res, 504, 'formatter did not answer in time\n');
  else sendText(res, 502, 'formatter is unavailable\n');
}

export function helloRoutes(tracing: Tracing, formatter: FormatterClient): Router {
  const router = Router();
  const traced = tracing.instrumented ? [serverSpan(tracing)] : [];

  router.get(['/sayHello', '/sayHello2'], (req, res) =>
    sendText(res, 400, `name is required: GET ${req.path.replace(/\/$/, '')}/<name>\n`),
  );

  // instrumented path: spans, and the caller's User-Agent as baggage the mesh routes on
  router.get('/sayHello/:name', ...traced, async (req, res) => {
    const check = checkName(req.params.name);
    if (!check.ok) return sendText(res, 400, `${check.message}\n`);
    try {
      if (!tracing.instrumented) {
        return sendText(res, 200, await formatter.forwardingMeshHeaders(check.name, req.headers));
      }
      const userAgent = req.get('user-agent');
      if (userAgent) activeSpan()?.setBaggageItem('user-agent', userAgent);
      const greeting = await formatter.traced(check.name);
      // after the await: the active span is still this request's (AsyncLocalStorage)
      tracing.log.info('greeting received', { 'greeting.length': greeting.length });
      sendText(res, 200, greeting);
    } catch (error) {
      answerFormatterFailure(res, error);
    }
  });

  // headers-only path: no span of ours, only the mesh's headers copied onward
  router.get('/sayHello2/:name', async (req, res) => {
    const check = checkName(req.params.name);
    if (!check.ok) return sendText(res, 400, `${check.message}\n`);
    try {
      sendText(res, 200, await formatter.forwardingMeshHeaders(check.name, req.headers));
    } catch (error) {
      answerFormatterFailure(res, error);
    }
  });
  return router;
}
