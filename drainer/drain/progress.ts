/**
 * Drain progress, logged at a steady interval: per queue sent, confirmed, remaining, rate and ETA,
 * so that an operator reading the cleanup pod's log sees it is alive and how far along it is.
 */
import type { Logger } from 'pino';

interface QueueProgressLine {
  total: number;
  sent: number;
  confirmed: number;
}

export class DrainProgress {
  private readonly queues = new Map<string, QueueProgressLine>();
  private timer: NodeJS.Timeout | null = null;
  private lastConfirmed = 0;
  private lastTime = Date.now();
  readonly started = Date.now();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  track(queue: string, total: number, alreadyConfirmed: number): void {
    this.queues.set(queue, { total, sent: 0, confirmed: alreadyConfirmed });
  }

  sent(queue: string, n: number): void {
    const q = this.queues.get(queue);
    if (q) q.sent += n;
  }

  confirmed(queue: string, n: number): void {
    const q = this.queues.get(queue);
    if (q) q.confirmed += n;
  }

  start(): void {
    if (this.intervalMs > 0) this.timer = setInterval(() => this.emit(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  totals(): { total: number; confirmed: number } {
    let total = 0;
    let confirmed = 0;
    for (const q of this.queues.values()) {
      total += q.total;
      confirmed += q.confirmed;
    }
    return { total, confirmed };
  }

  private emit(): void {
    const now = Date.now();
    const { total, confirmed } = this.totals();
    const rate = ((confirmed - this.lastConfirmed) * 1000) / Math.max(1, now - this.lastTime);
    this.lastConfirmed = confirmed;
    this.lastTime = now;
    for (const [queue, q] of this.queues) {
      const remaining = Math.max(0, q.total - q.confirmed);
      if (remaining === 0 && q.sent === 0) continue;
      this.log.info({ queue, sent: q.sent, confirmed: q.confirmed, remaining }, 'queue progress');
    }
    const remaining = Math.max(0, total - confirmed);
    // Memory too: the pod's limit is what kills a drain, and this is where an operator looks.
    const mem = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1048576);
    this.log.info(
      {
        confirmed,
        total,
        remaining,
        ratePerSec: Math.round(rate),
        etaSec: rate > 0 ? Math.round(remaining / rate) : null,
        memory: { rssMB: mb(mem.rss), heapMB: mb(mem.heapUsed), externalMB: mb(mem.external) },
      },
      'drain progress',
    );
  }
}
