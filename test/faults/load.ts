/** A small closed-loop load driver for the fault cases: N requests, C at a time, on loopback. */
import http from 'node:http';

export interface Outcome {
  index: number;
  status: number; // 0 = no answer (connection error)
  error?: string;
  startedAt: number;
  latencyMs: number;
}

export function get(url: string, agent: http.Agent): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, error: error.code ?? error.message }),
    );
  });
}

/** Sends `total` requests with `concurrency` in flight; `onProgress` may act mid-run (kill, restart, signal). */
export async function drive(
  urlFor: (index: number) => string,
  total: number,
  concurrency: number,
  onProgress: (done: number) => void | Promise<void> = () => undefined,
): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const startedAt = Date.now();
      const { status, error } = await get(urlFor(index), agent);
      const outcome: Outcome = { index, status, startedAt, latencyMs: Date.now() - startedAt };
      if (error) outcome.error = error;
      outcomes.push(outcome);
      await onProgress(outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return outcomes.sort((a, b) => a.index - b.index);
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function countBy(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status ? String(o.status) : `error:${o.error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
