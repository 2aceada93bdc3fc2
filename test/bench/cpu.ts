/**
 * CPU accounting for the benches: what one process used, and what the whole machine did meanwhile,
 * so a report can say which side was busy and whether something else was competing for the CPUs.
 */
import fs from 'node:fs';

/** USER_HZ, the unit of /proc CPU times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat), NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of proc(5)'s stat, i.e. 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

export interface MachineCpu {
  /** CPU seconds spent running anything (all CPUs together). */
  busy: number;
  /** busy + idle + iowait. */
  total: number;
}

/** The machine's CPU counters so far (first line of /proc/stat); NaNs when unreadable. */
export function machineCpu(): MachineCpu {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return { busy: busy / CLOCK_TICKS, total: (busy + idle! + iowait!) / CLOCK_TICKS };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Busy CPU seconds between two readings. */
export function busySince(start: MachineCpu): number {
  return machineCpu().busy - start.busy;
}
