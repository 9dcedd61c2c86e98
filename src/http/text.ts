import type { Response } from 'express';

/** Every answer is plain UTF-8 text that a browser must not sniff (a name is reflected). */
export function sendText(res: Response, status: number, text: string): void {
  res
    .status(status)
    .type('text/plain; charset=utf-8')
    .set('X-Content-Type-Options', 'nosniff')
    .send(text);
}
