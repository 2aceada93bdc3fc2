/**
 * §3.4: the "ID:" encoding of AMQP message/correlation ids inside core string properties, decoded
 * back into typed AMQP ids. A prefix whose payload does not parse leaves the whole string as a
 * string id, as the broker does.
 */
import type { TypedValue } from '../../journal/model/typed-value.js';

const ID = 'ID:';
const NO_PREFIX = 'AMQP_NO_PREFIX:';
const UUID = 'AMQP_UUID:';
const ULONG = 'AMQP_ULONG:';
const STRING = 'AMQP_STRING:';
const BINARY = 'AMQP_BINARY:';

export function idFromString(id: string): TypedValue {
  const asIs: TypedValue = { type: 'string', value: id };
  if (!id.startsWith(ID)) return asIs;
  const rest = id.slice(ID.length);
  if (rest.startsWith(NO_PREFIX)) return { type: 'string', value: rest.slice(NO_PREFIX.length) };
  if (rest.startsWith(UUID)) {
    const uuid = parseUuid(rest.slice(UUID.length));
    return uuid === null ? asIs : { type: 'uuid', value: uuid };
  }
  if (rest.startsWith(ULONG)) {
    const text = rest.slice(ULONG.length);
    if (!/^\+?\d+$/.test(text)) return asIs;
    const n = BigInt(text);
    return n < 1n << 64n ? { type: 'ulong', value: n } : asIs;
  }
  if (rest.startsWith(STRING)) return { type: 'string', value: rest.slice(STRING.length) };
  if (rest.startsWith(BINARY)) {
    const hex = rest.slice(BINARY.length);
    return /^(?:[0-9a-fA-F]{2})*$/.test(hex) ? { type: 'binary', value: Buffer.from(hex, 'hex') } : asIs;
  }
  return asIs;
}

const PART_DIGITS = [8, 4, 4, 4, 12];

/**
 * Java's UUID.fromString: five dash-separated hex groups, each at most as long as its place in
 * the canonical form (shorter groups are zero-padded). Returns the canonical lower-case form.
 */
function parseUuid(s: string): string | null {
  const parts = s.split('-');
  if (parts.length !== 5) return null;
  const out: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]+$/.test(p) || p.length > PART_DIGITS[i]!) return null;
    out.push(p.toLowerCase().padStart(PART_DIGITS[i]!, '0'));
  }
  return out.join('-');
}
