/**
 * JSON-ready view of an AMQP message's sections (for `export`, diagnostics and tests).
 *
 * Values use `typedToJson`: exact AMQP type names, 64-bit integers and timestamps as decimal
 * strings, binary as base64. The header shows what is encoded: a field left out (or null) on the
 * wire is null here, not its AMQP default.
 */
import { createHash } from 'node:crypto';
import { DecodeError } from '../binary/reader.js';
import { typedToJson, type JsonTyped, type TypedValue } from '../model/typed-value.js';
import type { AmqpSection } from '../model/message.js';
import { SectionCode, SECTION_NAMES } from './section-codes.js';

export interface AmqpHeaderView {
  durable: boolean | null;
  priority: number | null;
  /** Milliseconds, relative to when the message was received. */
  ttl: number | null;
  firstAcquirer: boolean | null;
  deliveryCount: number | null;
}

export const AMQP_PROPERTY_NAMES = [
  'message-id',
  'user-id',
  'to',
  'subject',
  'reply-to',
  'correlation-id',
  'content-type',
  'content-encoding',
  'absolute-expiry-time',
  'creation-time',
  'group-id',
  'group-sequence',
  'reply-to-group-id',
] as const;

export type AmqpPropertyName = (typeof AMQP_PROPERTY_NAMES)[number];
export type AmqpPropertiesView = Record<AmqpPropertyName, JsonTyped | null>;
export type AmqpMapView = Record<string, JsonTyped>;

export type AmqpBodyView =
  /** All data sections, concatenated (`count` present when there is more than one). */
  | { section: 'data'; size: number; sha256: string; base64?: string; count?: number }
  | { section: 'amqp-value'; value: JsonTyped }
  /** An amqp-value binary/string too big to hold in memory: digest of its payload bytes. */
  | { section: 'amqp-value'; type: 'binary' | 'string'; size: number; sha256: string; base64?: string }
  /** Elements of all amqp-sequence sections, concatenated (`count` when more than one). */
  | { section: 'amqp-sequence'; value: JsonTyped[]; count?: number }
  /** A body section too big to decode in memory that is not a plain binary/string. */
  | { section: 'amqp-value' | 'amqp-sequence'; encodedSize: number; sha256: string; tooLarge: true }
  | { section: 'none' };

export interface AmqpView {
  header: AmqpHeaderView | null;
  deliveryAnnotations: AmqpMapView | null;
  messageAnnotations: AmqpMapView | null;
  properties: AmqpPropertiesView | null;
  applicationProperties: AmqpMapView | null;
  footer: AmqpMapView | null;
  body: AmqpBodyView;
}

function fail(section: AmqpSection, message: string): never {
  throw new DecodeError(`AMQP ${SECTION_NAMES[section.code] ?? 'section'}: ${message}`, section.offset);
}

/** Elements of a list-valued section (header, properties). */
function listOf(section: AmqpSection): TypedValue[] {
  const v = section.value;
  if (!v || v.type !== 'list') fail(section, 'value is not a list');
  return v.value;
}

function field(section: AmqpSection, list: TypedValue[], index: number, name: string, type: TypedValue['type']): TypedValue | null {
  const v = list[index];
  if (!v || v.type === 'null') return null;
  if (v.type !== type) fail(section, `${name} is ${v.type}, expected ${type}`);
  return v;
}

function boolField(section: AmqpSection, list: TypedValue[], index: number, name: string): boolean | null {
  const v = field(section, list, index, name, 'boolean');
  return v ? (v.value as boolean) : null;
}

function numberField(section: AmqpSection, list: TypedValue[], index: number, name: string, type: 'ubyte' | 'uint'): number | null {
  const v = field(section, list, index, name, type);
  return v ? (v.value as number) : null;
}

export function headerView(section: AmqpSection): AmqpHeaderView {
  const l = listOf(section);
  return {
    durable: boolField(section, l, 0, 'durable'),
    priority: numberField(section, l, 1, 'priority', 'ubyte'),
    ttl: numberField(section, l, 2, 'ttl', 'uint'),
    firstAcquirer: boolField(section, l, 3, 'first-acquirer'),
    deliveryCount: numberField(section, l, 4, 'delivery-count', 'uint'),
  };
}

/** Properties by hyphenated AMQP name; absent or null fields are null. Extra list items are ignored. */
export function propertiesView(section: AmqpSection): AmqpPropertiesView {
  const l = listOf(section);
  const out = {} as AmqpPropertiesView;
  AMQP_PROPERTY_NAMES.forEach((name, i) => {
    const v = l[i];
    out[name] = v && v.type !== 'null' ? typedToJson(v) : null;
  });
  return out;
}

/** `absolute-expiry-time` in ms, or null when absent. */
export function absoluteExpiryTime(section: AmqpSection): bigint | null {
  const v = field(section, listOf(section), 8, 'absolute-expiry-time', 'timestamp');
  return v ? (v.value as bigint) : null;
}

/** Text key of a map entry: symbols and strings as they are, other keys as their JSON. */
export function mapKey(k: TypedValue): string {
  switch (k.type) {
    case 'symbol':
    case 'string':
      return k.value;
    case 'ulong':
    case 'long':
      return k.value.toString();
    default:
      return JSON.stringify(typedToJson(k));
  }
}

export function mapView(section: AmqpSection): AmqpMapView {
  const v = section.value;
  if (!v || v.type !== 'map') fail(section, 'value is not a map');
  const out: AmqpMapView = {};
  for (const [k, val] of v.value) out[mapKey(k)] = typedToJson(val);
  return out;
}

/**
 * Accumulates the body while sections arrive in order: data payloads go through one sha256 (so a
 * large body can be fed in chunks), sequences are concatenated, amqp-value is kept as decoded.
 */
export class BodyBuilder {
  private kind: 'data' | 'amqp-sequence' | 'amqp-value' | null = null;
  private count = 0;
  private size = 0;
  private readonly hash = createHash('sha256');
  private readonly chunks: Buffer[] | null;
  private readonly elements: JsonTyped[] = [];
  private value: AmqpBodyView | null = null;

  constructor(private readonly includeBase64: boolean) {
    this.chunks = includeBase64 ? [] : null;
  }

  /** Starts one body section; throws DecodeError when bodies of different kinds are mixed. */
  begin(section: AmqpSection): void {
    const kind = section.code === SectionCode.DATA ? 'data' : section.code === SectionCode.AMQP_SEQUENCE ? 'amqp-sequence' : 'amqp-value';
    if (this.kind !== null && (this.kind !== kind || kind === 'amqp-value')) {
      fail(section, `body already has a ${this.kind} section`);
    }
    this.kind = kind;
    this.count++;
  }

  /** Feeds (part of) a data section's payload. */
  data(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    this.chunks?.push(chunk);
  }

  sequence(section: AmqpSection): void {
    for (const v of listOf(section)) this.elements.push(typedToJson(v));
  }

  /** Sets the amqp-value body (decoded, streamed digest, or too-large summary). */
  setValue(view: AmqpBodyView): void {
    this.value = view;
  }

  finish(): AmqpBodyView {
    switch (this.kind) {
      case null:
        return { section: 'none' };
      case 'data': {
        const out: AmqpBodyView & { section: 'data' } = { section: 'data', size: this.size, sha256: this.hash.digest('hex') };
        if (this.chunks) out.base64 = Buffer.concat(this.chunks).toString('base64');
        if (this.count > 1) out.count = this.count;
        return out;
      }
      case 'amqp-sequence':
        if (this.value) return this.value;
        return this.count > 1
          ? { section: 'amqp-sequence', value: this.elements, count: this.count }
          : { section: 'amqp-sequence', value: this.elements };
      case 'amqp-value':
        return this.value!;
    }
  }
}

/** Adds one fully decoded section to a view under construction (first of each kind wins). */
export function applySection(view: AmqpView, body: BodyBuilder, s: AmqpSection): void {
  switch (s.code) {
    case SectionCode.HEADER:
      view.header ??= headerView(s);
      break;
    case SectionCode.DELIVERY_ANNOTATIONS:
      view.deliveryAnnotations ??= mapView(s);
      break;
    case SectionCode.MESSAGE_ANNOTATIONS:
      view.messageAnnotations ??= mapView(s);
      break;
    case SectionCode.PROPERTIES:
      view.properties ??= propertiesView(s);
      break;
    case SectionCode.APPLICATION_PROPERTIES:
      view.applicationProperties ??= mapView(s);
      break;
    case SectionCode.FOOTER:
      view.footer ??= mapView(s);
      break;
    case SectionCode.DATA: {
      body.begin(s);
      const v = s.value;
      if (!v || v.type !== 'binary') fail(s, 'value is not binary');
      body.data(v.value);
      break;
    }
    case SectionCode.AMQP_SEQUENCE:
      body.begin(s);
      body.sequence(s);
      break;
    case SectionCode.AMQP_VALUE:
      body.begin(s);
      if (!s.value) fail(s, 'value was not decoded');
      body.setValue({ section: 'amqp-value', value: typedToJson(s.value) });
      break;
    default:
      fail(s, `unknown section code 0x${s.code.toString(16)}`);
  }
}

export function emptyView(): AmqpView {
  return {
    header: null,
    deliveryAnnotations: null,
    messageAnnotations: null,
    properties: null,
    applicationProperties: null,
    footer: null,
    body: { section: 'none' },
  };
}
