/**
 * Queue configuration as createQueue takes it: the JSON form (§4.1 "Queue JSON keys") and the positional
 * long forms mapped onto the same keys, plus the effective JSON the broker returns.
 */
import { fail } from './errors.js';
import type { QueueInfo, RoutingType } from './model.js';

/** The JSON keys Artemis' QueueConfiguration understands; other keys are ignored. */
export const QUEUE_JSON_KEYS = [
  'name', 'address', 'routing-type', 'filter-string', 'durable', 'user', 'max-consumers', 'exclusive',
  'group-rebalance', 'group-rebalance-pause-dispatch', 'group-buckets', 'group-first-key', 'last-value',
  'last-value-key', 'non-destructive', 'purge-on-no-consumers', 'enabled', 'consumers-before-dispatch',
  'delay-before-dispatch', 'consumer-priority', 'auto-delete', 'auto-delete-delay', 'auto-delete-message-count',
  'ring-size', 'configuration-managed', 'temporary', 'auto-create-address', 'internal', 'transient',
  'auto-created', 'id',
] as const;

const BOOLEAN_KEYS = new Set([
  'durable', 'exclusive', 'group-rebalance', 'group-rebalance-pause-dispatch', 'last-value', 'non-destructive',
  'purge-on-no-consumers', 'enabled', 'auto-delete', 'configuration-managed', 'temporary', 'auto-create-address',
  'internal', 'transient', 'auto-created',
]);
const NUMBER_KEYS = new Set([
  'max-consumers', 'group-buckets', 'consumers-before-dispatch', 'delay-before-dispatch', 'consumer-priority',
  'auto-delete-delay', 'auto-delete-message-count', 'ring-size', 'id',
]);

/** A createQueue request after parsing; `given` keeps the known keys exactly as they came. */
export interface QueueRequest {
  name: string;
  address: string;
  routingType: RoutingType;
  filter: string | null;
  durable: boolean;
  autoCreateAddress: boolean;
  temporary: boolean;
  given: Record<string, unknown>;
}

function asBoolean(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

export function parseRoutingType(v: unknown): RoutingType {
  const s = String(v);
  if (s === 'ANYCAST' || s === 'MULTICAST') return s;
  throw fail.noEnumConstant(s);
}

/** Normalise a given value for the effective JSON: booleans and numbers given as strings become literals. */
function normalise(key: string, v: unknown): unknown {
  if (BOOLEAN_KEYS.has(key)) return asBoolean(v);
  if (NUMBER_KEYS.has(key) && typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return v;
}

/** Parse the JSON form. Unknown keys are dropped (Artemis ignores them). */
export function queueRequestFromJson(json: string): QueueRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    // Artemis surfaces the JSON parser's own exception text here; the exact wording is the parser's.
    throw new Error(`Invalid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('Invalid JSON: not an object');
  const given: Record<string, unknown> = {};
  for (const k of QUEUE_JSON_KEYS) {
    if (k in (parsed as Record<string, unknown>)) given[k] = (parsed as Record<string, unknown>)[k];
  }
  return fromGiven(given);
}

function fromGiven(given: Record<string, unknown>): QueueRequest {
  const name = given['name'];
  if (name === undefined || name === null || name === '') throw fail.queueNameMissing();
  const address = given['address'] === undefined || given['address'] === null ? String(name) : String(given['address']);
  const routingType = given['routing-type'] === undefined || given['routing-type'] === null
    ? 'MULTICAST'
    : parseRoutingType(given['routing-type']);
  const filterRaw = given['filter-string'];
  const filter = filterRaw === undefined || filterRaw === null || String(filterRaw) === '' ? null : String(filterRaw);
  return {
    name: String(name),
    address,
    routingType,
    filter,
    durable: given['durable'] === undefined ? true : asBoolean(given['durable']),
    autoCreateAddress: asBoolean(given['auto-create-address']),
    temporary: asBoolean(given['temporary']),
    given,
  };
}

/** Parameter names of the positional createQueue forms, in order, as JSON keys. */
const LONG_FORMS: Record<number, string[]> = {
  8: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'auto-create-address'],
  16: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'exclusive',
    'group-rebalance', 'group-buckets', 'last-value', 'last-value-key', 'non-destructive', 'consumers-before-dispatch',
    'delay-before-dispatch', 'auto-create-address'],
  17: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'exclusive',
    'group-rebalance', 'group-buckets', 'group-first-key', 'last-value', 'last-value-key', 'non-destructive',
    'consumers-before-dispatch', 'delay-before-dispatch', 'auto-create-address'],
  19: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'exclusive',
    'group-rebalance', 'group-buckets', 'last-value', 'last-value-key', 'non-destructive', 'consumers-before-dispatch',
    'delay-before-dispatch', 'auto-delete', 'auto-delete-delay', 'auto-delete-message-count', 'auto-create-address'],
  20: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'exclusive',
    'group-rebalance', 'group-buckets', 'group-first-key', 'last-value', 'last-value-key', 'non-destructive',
    'consumers-before-dispatch', 'delay-before-dispatch', 'auto-delete', 'auto-delete-delay', 'auto-delete-message-count',
    'auto-create-address'],
  21: ['address', 'routing-type', 'name', 'filter-string', 'durable', 'max-consumers', 'purge-on-no-consumers', 'exclusive',
    'group-rebalance', 'group-buckets', 'group-first-key', 'last-value', 'last-value-key', 'non-destructive',
    'consumers-before-dispatch', 'delay-before-dispatch', 'auto-delete', 'auto-delete-delay', 'auto-delete-message-count',
    'auto-create-address', 'ring-size'],
};

export function longFormKeys(arity: number): string[] {
  const keys = LONG_FORMS[arity];
  if (!keys) throw new Error(`no long createQueue form with ${arity} parameters`);
  return keys;
}

/** Map positional arguments (already type-checked) onto a QueueRequest; a null address defaults to the name. */
export function queueRequestFromArgs(keys: string[], args: unknown[]): QueueRequest {
  const given: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (args[i] !== null && args[i] !== undefined) given[k] = args[i];
  });
  return fromGiven(given);
}

/** The effective configuration Artemis returns from the JSON createQueue: what was given plus defaults. */
export function effectiveQueueJson(q: QueueInfo): string {
  const defaults: Record<string, unknown> = {
    'max-consumers': -1,
    exclusive: false,
    'group-rebalance': false,
    'group-rebalance-pause-dispatch': false,
    'group-buckets': -1,
    'last-value': false,
    'non-destructive': false,
    'purge-on-no-consumers': false,
    enabled: true,
    'consumers-before-dispatch': 0,
    'delay-before-dispatch': -1,
    'consumer-priority': 0,
    'auto-delete': false,
    'auto-delete-delay': 0,
    'auto-delete-message-count': 0,
    'ring-size': -1,
    'configuration-managed': false,
    internal: false,
    transient: false,
  };
  const out: Record<string, unknown> = {
    id: Number(q.id),
    name: q.name,
    address: q.address,
    'routing-type': q.routingType,
    durable: q.durable,
    temporary: q.temporary,
    'auto-created': q.autoCreated,
  };
  if (q.filter !== null) out['filter-string'] = q.filter;
  for (const [k, v] of Object.entries(defaults)) out[k] = k in q.config ? normalise(k, q.config[k]) : v;
  for (const [k, v] of Object.entries(q.config)) {
    if (!(k in out)) out[k] = normalise(k, v);
  }
  delete out['auto-create-address'];
  return JSON.stringify(out);
}

/** The "textual summary" the positional createQueue forms return (shape only loosely Artemis'). */
export function queueSummary(q: QueueInfo): string {
  return `Queue [name=${q.name}, address=${q.address}, routingType=${q.routingType}, durable=${q.durable}, ` +
    `filter=${q.filter ?? 'null'}, id=${q.id}, temporary=${q.temporary}, autoCreated=${q.autoCreated}]`;
}
