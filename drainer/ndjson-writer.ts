/**
 * NDJSON to a stream in batches: one write per ~64 KiB instead of one per line (a million small
 * writes to a pipe cost more than producing the lines), waiting for 'drain' when the consumer is
 * slower than we are.
 */
import type { Writable } from 'node:stream';

const BATCH_BYTES = 64 * 1024;

export class NdjsonWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable) {}

  /** `value` must be plain JSON data (no bigint): lines are built on the hot path, no replacer. */
  async write(value: unknown): Promise<void> {
    const line = JSON.stringify(value) + '\n';
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.out.write(chunk)) await new Promise((resolve) => this.out.once('drain', resolve));
  }
}
