import { Router } from 'express';
import { sendText } from '../../http/text.js';
import { activeSpan } from '../../tracing/index.js';
import type { Tracing } from '../../tracing/index.js';
import { checkName } from '../name.js';
import { formatGreeting } from './greeting.js';
import type { FormatterVersion } from './greeting.js';

/** formatter's one route; its client (./client.ts) calls it by this path. */
export const FORMAT_GREETING_PATH = '/formatGreeting';

/** formatter: GET /formatGreeting?name=X answers the greeting of this version's template. */
export function formatterRoutes(tracing: Tracing, version: FormatterVersion): Router {
  const router = Router();

  router.get(FORMAT_GREETING_PATH, tracing.serverSpan(), async (req, res) => {
    const check = checkName(req.query['name']);
    if (!check.ok) return sendText(res, 400, `${check.message}: GET /formatGreeting?name=<name>\n`);

    // detail only the application can see: which version answered, what baggage arrived
    const span = activeSpan();
    span?.setTag('formatter.version', version);
    const userAgent = span?.getBaggageItem('user-agent');
    if (userAgent) span?.setTag('baggage.user-agent', userAgent);

    const greeting = await tracing.inSpan('format-greeting', () => {
      tracing.log.debug('formatting greeting', {
        template: version,
        'name.length': [...check.name].length,
      });
      return formatGreeting(version, check.name);
    });
    sendText(res, 200, greeting);
  });
  return router;
}
