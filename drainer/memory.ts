/**
 * One full garbage collection, on demand. Indexing a large journal leaves tens of MB of lookup
 * tables and file buffers behind (external memory V8 frees only in a full GC, which may not come
 * before the drain's own peak): collecting once right after indexing keeps the peak RSS within the
 * pod's memory limit. `gc` is not exposed without --expose-gc; setting the flag at run time and
 * reading `gc` from a fresh context is V8's documented way to get it without changing how the
 * process is started (Containerfile, shebang, `node cli.js` all behave the same).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
