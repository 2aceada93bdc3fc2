/**
 * QUEUE_BINDING_RECORD (21, §8.1): one durable queue. Record id = queue id.
 *
 * Writers only ever appended fields, so the decoder reads them in order while bytes remain and
 * fills the rest with the broker's defaults. How many were present tells which writer produced
 * the record: 5 means an Artemis 1.x broker.
 */
import { BufferReader } from '../binary/reader.js';
import { readNullableSimpleString, readSimpleString } from '../binary/strings.js';
import { routingTypeFromByte, type RoutingType } from './record-types.js';

export interface QueueBinding {
  name: string;
  address: string;
  filter: string | null;
  /** From the `user=<name>;` metadata; null when absent. */
  user: string | null;
  autoCreated: boolean;
  maxConsumers: number;
  purgeOnNoConsumers: boolean;
  routingType: RoutingType;
  exclusive: boolean;
  lastValue: boolean;
  configurationManaged: boolean;
  consumersBeforeDispatch: number;
  delayBeforeDispatch: bigint;
  lastValueKey: string | null;
  nonDestructive: boolean;
  groupRebalance: boolean;
  groupBuckets: number;
  autoDelete: boolean;
  autoDeleteDelay: bigint;
  autoDeleteMessageCount: bigint;
  groupFirstKey: string | null;
  ringSize: bigint;
  enabled: boolean;
  groupRebalancePauseDispatch: boolean;
  internal: boolean;
  /** Number of the 25 fields actually stored (5 = Artemis 1.x, 8 = 2.0–2.4, 25 = 2.31+). */
  fieldsPresent: number;
  /** Bytes after field 25 (a newer writer); ignored. */
  extraBytes: number;
}

/** Number of fields written by Artemis 1.x (name, address, filter, metadata, autoCreated). */
export const QUEUE_BINDING_BASE_FIELDS = 5;
export const QUEUE_BINDING_ALL_FIELDS = 25;

export function decodeQueueBinding(body: Buffer): QueueBinding {
  const r = new BufferReader(body);
  const name = readSimpleString(r);
  const address = readSimpleString(r);
  const filter = readNullableSimpleString(r);
  const user = userFromMetadata(readNullableSimpleString(r));
  const autoCreated = r.bool();
  let fieldsPresent = QUEUE_BINDING_BASE_FIELDS;

  // Each optional field: read it only if bytes remain, else keep the default.
  const opt = <T>(read: () => T, dflt: T): T => {
    if (r.remaining === 0) return dflt;
    fieldsPresent++;
    return read();
  };

  // Fields 6–8 were introduced together and the broker reads them as one group.
  let maxConsumers = -1;
  let purgeOnNoConsumers = false;
  let routingType: RoutingType = 'MULTICAST';
  if (r.remaining > 0) {
    maxConsumers = r.i32();
    purgeOnNoConsumers = r.bool();
    const rt = r.u8();
    routingType = routingTypeFromByte(rt) ?? r.fail(`queue ${name}: invalid routing type byte ${rt}`);
    fieldsPresent = 8;
  }

  const b = (): boolean => r.bool();
  const i32 = (): number => r.i32();
  const i64 = (): bigint => r.i64();
  const nss = (): string | null => readNullableSimpleString(r);

  const exclusive = opt(b, false);
  const lastValue = opt(b, false);
  const configurationManaged = opt(b, false);
  const consumersBeforeDispatch = opt(i32, 0);
  const delayBeforeDispatch = opt(i64, -1n);
  const lastValueKey = opt(nss, null);
  const nonDestructive = opt(b, false);
  const groupRebalance = opt(b, false);
  const groupBuckets = opt(i32, -1);
  const autoDelete = opt(b, autoCreated);
  const autoDeleteDelay = opt(i64, 0n);
  const autoDeleteMessageCount = opt(i64, 0n);
  const groupFirstKey = opt(nss, null);
  const ringSize = opt(i64, -1n);
  const enabled = opt(b, true);
  const groupRebalancePauseDispatch = opt(b, false);
  const internal = opt(b, false);

  return {
    name,
    address,
    filter,
    user,
    autoCreated,
    maxConsumers,
    purgeOnNoConsumers,
    routingType,
    exclusive,
    lastValue,
    configurationManaged,
    consumersBeforeDispatch,
    delayBeforeDispatch,
    lastValueKey,
    nonDestructive,
    groupRebalance,
    groupBuckets,
    autoDelete,
    autoDeleteDelay,
    autoDeleteMessageCount,
    groupFirstKey,
    ringSize,
    enabled,
    groupRebalancePauseDispatch,
    internal,
    fieldsPresent,
    extraBytes: r.remaining,
  };
}

/**
 * The metadata is `key=value` pairs separated by `;` and only `user` is used. Split like Java's
 * String.split (trailing empty pieces dropped) so that `user=;` means "no user", as for the broker.
 * Writers up to about 2.18 stored a queue without user as `user=null;` (seen in real data from 1.x,
 * 2.0–2.18): that text is the writer's null, not a user called "null".
 */
function userFromMetadata(metadata: string | null): string | null {
  if (metadata === null) return null;
  let user: string | null = null;
  for (const element of javaSplit(metadata, ';')) {
    const kv = javaSplit(element, '=');
    if (kv.length === 2 && kv[0] === 'user') user = kv[1]!;
  }
  return user === 'null' ? null : user;
}

function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
