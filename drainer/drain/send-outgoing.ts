/**
 * Puts one OutgoingMessage on a sender link: small messages as one pre-encoded payload, large ones
 * streamed part by part (file regions read on demand) so a big body is never held whole.
 */
import fs from 'node:fs';
import type { Sender } from 'rhea-promise';
import type { OutgoingMessage } from '../convert/outgoing.js';

/** Below this, assembling the payload in memory is cheaper than streaming it. */
const STREAM_THRESHOLD = 1024 * 1024;

export async function sendOutgoing(sender: Sender, out: OutgoingMessage): Promise<object> {
  if (out.size <= STREAM_THRESHOLD && out.parts.every((p) => p.kind === 'buffer')) {
    const payload = out.parts.length === 1 ? (out.parts[0] as { data: Buffer }).data : Buffer.concat(out.parts.map((p) => (p as { data: Buffer }).data));
    return sender.send(payload, { format: out.format });
  }
  // Interim: assemble (the streaming sender replaces this path).
  const chunks: Buffer[] = [];
  for (const p of out.parts) {
    if (p.kind === 'buffer') chunks.push(p.data);
    else {
      const b = Buffer.alloc(p.length);
      const fd = fs.openSync(p.path, 'r');
      try {
        fs.readSync(fd, b, 0, p.length, p.offset);
      } finally {
        fs.closeSync(fd);
      }
      chunks.push(b);
    }
  }
  return sender.send(Buffer.concat(chunks), { format: out.format });
}
