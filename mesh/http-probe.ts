/** Small HTTP and port probes used while the mesh starts. */
import { createServer } from 'node:net';

/** The body of a GET, or undefined when nothing (good) answers. */
export async function getText(url: string, timeoutMs = 2000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a TCP port can be bound on `host` right now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { deadlineMs, stillAlive }: { deadlineMs: number; stillAlive: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const death = stillAlive();
    if (death) throw new Error(death);
    if (Date.now() > deadline)
      throw new Error(`${what} did not get ready within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
