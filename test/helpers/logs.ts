import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { message: string; service: string };

/** Collects the services' JSON log lines in memory. */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];

  constructor() {
    super({ objectMode: true });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    // winston's stream transport writes the info object; its JSON form is the printed line
    const info = chunk as Record<string | symbol, unknown>;
    const printed = info[Symbol.for('message')];
    this.lines.push(
      JSON.parse(typeof printed === 'string' ? printed : JSON.stringify(info)) as LogLine,
    );
    done();
  }

  withMessage(message: string): LogLine[] {
    return this.lines.filter((line) => line.message === message);
  }
}
