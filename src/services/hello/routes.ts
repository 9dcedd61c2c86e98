import { Router } from 'express';
import type { RequestHandler, Response } from 'express';
import { UpstreamError } from '../../http/get-text.js';
import { sendText } from '../../http/text.js';
import { activeSpan } from '../../tracing/index.js';
import type { Tracing } from '../../tracing/index.js';
import type { FormatterClient } from '../formatter/client.js';
import { checkName } from '../name.js';

/** A formatter that is down is a 502, one that is too slow a 504; hello itself stays ready. */
function answerFormatterFailure(res: Response, error: unknown): void {
  if (!(error instanceof UpstreamError)) throw error;
  if (error.kind === 'timeout') sendText(res, 504, 'formatter did not answer in time\n');
  else sendText(res, 502, 'formatter is unavailable\n');
}

/** Greets :name with formatter's greeting; the caller's User-Agent travels as baggage. */
function greet(tracing: Tracing, formatter: FormatterClient): RequestHandler {
  return async (req, res) => {
    const check = checkName(req.params['name']);
    if (!check.ok) return sendText(res, 400, `${check.message}\n`);
    // baggage the mesh routes on: Netscape's greetings come from formatter v2
    const userAgent = req.get('user-agent');
    if (userAgent) activeSpan()?.setBaggageItem('user-agent', userAgent);
    try {
      const greeting = await formatter.greeting(check.name);
      // after the await: the active span is still this request's (AsyncLocalStorage)
      tracing.log.debug('greeting received', { 'greeting.length': greeting.length });
      sendText(res, 200, greeting);
    } catch (error) {
      answerFormatterFailure(res, error);
    }
  };
}

export function helloRoutes(tracing: Tracing, formatter: FormatterClient): Router {
  const router = Router();

  router.get(['/sayHello', '/sayHello2'], (req, res) =>
    sendText(res, 400, `name is required: GET ${req.path.replace(/\/$/, '')}/<name>\n`),
  );
  router.get('/sayHello/:name', tracing.serverSpan(), greet(tracing, formatter));
  // whatever this service's tracing, /sayHello2 only forwards the mesh's headers: no span of ours
  router.get('/sayHello2/:name', greet(tracing.forwardingOnly, formatter.forwardingOnly()));
  return router;
}
