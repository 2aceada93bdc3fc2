/**
 * AMQP part of the manifest comparison. The AMQP manifests were written by a Python proton
 * generator and record some values the Python way; this table states each normalisation
 * explicitly (everything else must match exactly):
 * - type `int32` is AMQP `int`; `timestamp` values are recorded as `long`;
 * - binary values are under `value_base64`; maps are `[[key, value], …]` pairs;
 * - properties never set are recorded as Python defaults: content-type/encoding symbol "None",
 *   absolute-expiry-time/creation-time 0.0 (and set ones as float seconds), group-sequence 0;
 *   a ulong message-id is recorded as `long`;
 * - header fields never set are recorded as AMQP defaults (priority 4 / None, durable, first
 *   acquirer false, delivery count 0);
 * - a few test messages (c-11-*, sent by rhea) record plain values instead of {type, value};
 * - c-07-no-body is recorded as amqp-value null, but the stored bytes carry no body section;
 * - c-01's data `size` is 20 while its `value_base64` (and sha256) is 19 bytes.
 */
import { createHash } from 'node:crypto';
import type { ExportLine } from '../../drainer/format/export-line.js';

type J = { type: string; value?: unknown; value_base64?: string };

const TYPE_ALIAS: Record<string, string> = { int32: 'int', timestamp: 'long', ulong: 'long' };

function canon(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return { raw: v };
  const j = v as J;
  const type = TYPE_ALIAS[j.type] ?? j.type;
  if (j.type === 'binary' || j.type === 'bytes') return { type: 'binary', value: j.value_base64 ?? j.value };
  if (j.type === 'map') {
    const entries = (j.value as unknown[]).map((e) =>
      Array.isArray(e) ? [canon(e[0]), canon(e[1])] : [canon((e as { key: unknown }).key), canon((e as { value: unknown }).value)],
    );
    return { type, value: entries };
  }
  if (j.type === 'list' || j.type === 'array') return { type, value: (j.value as unknown[]).map(canon) };
  if (type === 'float' || type === 'double') return { type, value: Number(j.value) };
  return { type, value: j.value };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Plain (untyped) manifest values: compare the value only. */
function sameLoose(got: J | undefined, want: unknown): boolean {
  if (!got) return false;
  if (typeof want === 'boolean' || typeof want === 'string') return got.value === want || String(got.value) === String(want);
  if (typeof want === 'number') return Number(got.value) === want;
  return same(canon(got), canon(want));
}

function compareMap(where: string, name: string, want: unknown, got: Record<string, J> | null, diffs: string[]): void {
  if (want === null || want === undefined) {
    if (got && Object.keys(got).length > 0) diffs.push(`${where}: ${name} present (${Object.keys(got).join(',')}), expected none`);
    return;
  }
  if (Array.isArray(want)) {
    // Only the keys were recorded.
    for (const k of want as string[]) if (!got || !(k in got)) diffs.push(`${where}: ${name} lacks ${k}`);
    return;
  }
  const w = want as Record<string, unknown>;
  const keys = new Set([...Object.keys(w), ...Object.keys(got ?? {})]);
  for (const k of keys) {
    const wv = w[k];
    const gv = got?.[k];
    const ok = wv !== null && typeof wv === 'object' ? same(canon(gv), canon(wv)) : sameLoose(gv, wv);
    if (!ok) diffs.push(`${where}: ${name}.${k} = ${JSON.stringify(gv)}, expected ${JSON.stringify(wv)}`);
  }
}

export function compareAmqp(where: string, want: Record<string, unknown> | undefined, l: ExportLine, diffs: string[]): void {
  const view = l.amqp;
  if (!view) {
    diffs.push(`${where}: no AMQP view exported`);
    return;
  }
  if (!want) return;
  const h = want['header'] as Record<string, unknown> | undefined;
  if (h) {
    const g = view.header;
    const got = {
      durable: g?.durable ?? false,
      priority: g?.priority ?? 4,
      ttl: g?.ttl ?? null,
      firstAcquirer: g?.firstAcquirer ?? false,
      deliveryCount: g?.deliveryCount ?? 0,
    };
    const exp = {
      durable: h['durable'] ?? false,
      priority: h['priority'] ?? 4,
      ttl: h['ttl_ms'] ?? null,
      firstAcquirer: h['first_acquirer'] ?? false,
      deliveryCount: h['delivery_count'] ?? 0,
    };
    if (!same(got, exp)) diffs.push(`${where}: amqp header ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  }
  const props = want['properties'] as Record<string, J | null> | undefined;
  if (props) {
    for (const [k, wv] of Object.entries(props)) {
      const gv = (view.properties as Record<string, J | null> | null)?.[k] ?? null;
      let expected: unknown = wv;
      if (wv && wv.type === 'symbol' && wv.value === 'None') expected = null;
      if (wv && wv.type === 'double' && (k === 'absolute-expiry-time' || k === 'creation-time')) {
        expected = wv.value === 0 ? null : { type: 'long', value: String(Math.round((wv.value as number) * 1000)) };
      }
      if (wv && k === 'group-sequence') {
        // AMQP sequence-no is a uint; the manifest records it as a Python long (0 when unset).
        expected = wv.value === '0' && gv === null ? null : { type: 'uint', value: Number(wv.value) };
      }
      if (!same(canon(gv), canon(expected))) diffs.push(`${where}: amqp properties.${k} = ${JSON.stringify(gv)}, expected ${JSON.stringify(expected)}`);
    }
  }
  compareMap(where, 'application-properties', want['application_properties'], view.applicationProperties as Record<string, J> | null, diffs);
  const ma = want['message_annotations'];
  compareMap(where, 'message-annotations', ma && !Array.isArray(ma) && Object.keys(ma as object).length === 0 ? null : ma, view.messageAnnotations as Record<string, J> | null, diffs);
  compareMap(where, 'footer', want['footer'], view.footer as Record<string, J> | null, diffs);

  const wb = want['body'] as Record<string, unknown> | undefined;
  if (wb) {
    const gb = view.body as Record<string, unknown>;
    const recordedNull = wb['section'] === 'amqp-value' && same(wb['value'], { type: 'null', value: null });
    if (recordedNull && gb['section'] === 'none') {
      // no body section on the wire: what Python recorded as amqp-value null
    } else if (gb['section'] !== wb['section']) {
      diffs.push(`${where}: body section ${String(gb['section'])}, expected ${String(wb['section'])}`);
    } else if (wb['section'] === 'data') {
      // The manifest's `size` is off by one for c-01 (19 bytes in value_base64 and the sha256):
      // when the bytes are given, they are the truth.
      if (typeof wb['value_base64'] === 'string') wb['size'] = Buffer.from(wb['value_base64'], 'base64').length;
      if (gb['size'] !== wb['size'] || gb['sha256'] !== wb['sha256']) diffs.push(`${where}: data body ${gb['size']}/${gb['sha256']}, expected ${wb['size']}/${wb['sha256']}`);
    } else if ('utf8_sha256' in wb) {
      // A large amqp-value string: digest of its UTF-8 bytes (decoded, or streamed when too big).
      const v = gb['value'] as { value?: unknown } | undefined;
      const digest = typeof v?.value === 'string' ? createHash('sha256').update(Buffer.from(v.value, 'utf8')).digest('hex') : gb['sha256'];
      if (digest !== wb['utf8_sha256']) diffs.push(`${where}: large string body sha256 ${String(gb['sha256'])}, expected ${String(wb['utf8_sha256'])}`);
    } else if (wb['section'] === 'amqp-sequence') {
      const gotList = { type: 'list', value: gb['value'] };
      if (!same(canon(gotList), canon(wb['value']))) diffs.push(`${where}: amqp-sequence body ${JSON.stringify(gb['value'])}, expected ${JSON.stringify(wb['value'])}`);
    } else if (!same(canon(gb['value']), canon(wb['value']))) {
      diffs.push(`${where}: amqp-value body ${JSON.stringify(gb['value'])}, expected ${JSON.stringify(wb['value'])}`);
    }
  }
}
