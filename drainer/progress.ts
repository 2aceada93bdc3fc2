/**
 * Progress lines for long work, at a steady interval: queue, done, remaining, rate, ETA.
 * One pino line per event, so an operator tailing a pod's log sees it is alive and how far along.
 */
import type { Logger } from 'pino';

export class Progress {
  private queue = '';
  private queueTotal = 0;
  private queueDone = 0;
  private totalDone = 0;
  private readonly started = Date.now();
  private lastLog = Date.now();
  private lastCount = 0;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  startQueue(name: string, total: number): void {
    this.queue = name;
    this.queueTotal = total;
    this.queueDone = 0;
  }

  done(n: number): void {
    this.queueDone += n;
    this.totalDone += n;
    const now = Date.now();
    if (this.intervalMs > 0 && now - this.lastLog >= this.intervalMs) this.emit(now);
  }

  endQueue(): void {
    this.log.info({ queue: this.queue, messages: this.queueDone }, 'queue done');
  }

  finish(): void {
    const secs = (Date.now() - this.started) / 1000;
    this.log.info(
      { messages: this.totalDone, seconds: +secs.toFixed(2), ratePerSec: Math.round(this.totalDone / Math.max(secs, 0.001)), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) },
      'done',
    );
  }

  private emit(now: number): void {
    const rate = ((this.totalDone - this.lastCount) * 1000) / (now - this.lastLog);
    const remaining = Math.max(0, this.queueTotal - this.queueDone);
    this.log.info(
      { queue: this.queue, done: this.queueDone, remaining, ratePerSec: Math.round(rate), etaSec: rate > 0 ? Math.round(remaining / rate) : null },
      'progress',
    );
    this.lastLog = now;
    this.lastCount = this.totalDone;
  }
}
