/**
 * rhea hands every frame to `socket.write` on its own (transport.js: one write per frame), so a
 * burst of small transfers costs one system call each. Corking the socket on the first write of a
 * tick and uncorking it on the next tick hands the whole burst to the kernel as one writev; the
 * bytes and their order are unchanged, and nothing waits longer than the current tick.
 */
import type { Socket } from 'node:net';

const COALESCING = Symbol('artemis-drainer.write-coalescing');

type Coalesced = Socket & { [COALESCING]?: true };

/** Installs coalescing on `socket` once; later calls (and non-socket values) are no-ops. */
export function coalesceWrites(socket: unknown): void {
  const s = socket as Coalesced | undefined;
  if (!s || typeof s.cork !== 'function' || typeof s.uncork !== 'function' || s[COALESCING]) return;
  s[COALESCING] = true;
  const write = s.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    s.uncork();
  };
  s.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked && !s.destroyed) {
      corked = true;
      s.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
