/**
 * Problems found while reading are data, not exceptions: each becomes a Diagnostic naming the file
 * and byte offset. `error` means something that was (or may have been) live could not be read;
 * `warning` means the broker itself would have ignored or repaired it; `info` is context.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Path relative to the data directory, or null when the problem is not tied to one file. */
  file: string | null;
  offset: number | null;
  message: string;
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  /** Caps repeated messages so a badly damaged file cannot flood memory. */
  private readonly perKey = new Map<string, number>();

  constructor(private readonly maxPerKind = 200) {}

  add(severity: Severity, file: string | null, offset: number | null, message: string, kind = message): void {
    const key = `${severity}|${file}|${kind}`;
    const n = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, n);
    if (n <= this.maxPerKind) {
      this.list.push({ severity, file, offset, message });
    } else if (n === this.maxPerKind + 1) {
      this.list.push({ severity, file, offset, message: `further diagnostics like this suppressed: ${kind}` });
    }
  }

  error(file: string | null, offset: number | null, message: string, kind?: string): void {
    this.add('error', file, offset, message, kind);
  }

  warning(file: string | null, offset: number | null, message: string, kind?: string): void {
    this.add('warning', file, offset, message, kind);
  }

  info(file: string | null, offset: number | null, message: string, kind?: string): void {
    this.add('info', file, offset, message, kind);
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
}
