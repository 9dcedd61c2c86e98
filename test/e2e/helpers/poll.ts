/** Polling with a deadline: the e2e suite never sleeps a fixed time. */

export const DEFAULT_DEADLINE_MS = 15_000;

export interface PollOptions {
  deadlineMs?: number;
  intervalMs?: number;
  /** What was seen last, for the failure message. */
  lastSeen?: () => string;
}

/**
 * Calls `probe` until it answers something other than undefined, or the deadline passes.
 * A throwing probe counts as "not yet"; its last error goes into the failure message.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { deadlineMs = DEFAULT_DEADLINE_MS, intervalMs = 100, lastSeen }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const seen = lastSeen?.() ?? lastError;
      throw new Error(
        `timed out after ${deadlineMs} ms waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
