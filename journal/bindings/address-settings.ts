/**
 * Persisted address settings (§8.6): ADDRESS_SETTING_RECORD_JSON (52, 2.32+) and the legacy binary
 * ADDRESS_SETTING_RECORD (25). Address settings are broker configuration, not message data: the
 * caller treats a failure here as a warning.
 */
import { BufferReader } from '../binary/reader.js';
import { readNullableSimpleString, readSimpleString } from '../binary/strings.js';
import { readNullableBool, readNullableDouble, readNullableInt, readNullableLong } from './nullable.js';
import { routingTypeFromByte } from './record-types.js';

export type SettingValue = string | number | boolean | bigint | null | SettingValue[] | { [k: string]: SettingValue };

export interface PersistedAddressSetting {
  addressMatch: string;
  /**
   * Attribute name (the broker's camelCase field name) -> value. Only attributes that were set
   * appear. Binary records give 64-bit values as bigint; JSON records give JSON numbers.
   */
  settings: Record<string, SettingValue>;
  source: 'json' | 'binary';
  /** The stored JSON text (type 52 only). */
  json: string | null;
  /** Binary only: decoded with the deletion-policy strings treated as absent (old writer quirk). */
  compatibilityMode: boolean;
}

export function decodeAddressSettingJson(body: Buffer): PersistedAddressSetting {
  const r = new BufferReader(body);
  const addressMatch = readSimpleString(r);
  const json = readSimpleString(r);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    r.fail(`address setting ${addressMatch}: invalid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    r.fail(`address setting ${addressMatch}: JSON is not an object`);
  }
  return { addressMatch, settings: parsed as Record<string, SettingValue>, source: 'json', json, compatibilityMode: false };
}

type Kind = 'string' | 'long' | 'longAsInt' | 'int' | 'bool' | 'double' | 'routingType' | 'unit' | Enum;
interface Enum {
  values: readonly string[];
  /** A `config-delete-*` policy: some old writers omitted it (see decodeBinary). */
  deletionPolicy?: boolean;
}

const FULL_POLICY: Enum = { values: ['DROP', 'PAGE', 'BLOCK', 'FAIL'] };
const SLOW_CONSUMER_POLICY: Enum = { values: ['KILL', 'NOTIFY'] };
const DELETION_POLICY: Enum = { values: ['OFF', 'FORCE'], deletionPolicy: true };
const PAGE_FULL_POLICY: Enum = { values: ['DROP', 'FAIL'] };
/** SlowConsumerThresholdMeasurementUnit ids (messages per second/minute/hour/day). */
const MEASUREMENT_UNITS = new Map([
  [1, 'MESSAGES_PER_SECOND'],
  [60, 'MESSAGES_PER_MINUTE'],
  [3600, 'MESSAGES_PER_HOUR'],
  [86400, 'MESSAGES_PER_DAY'],
]);

/** Always-present part of the binary encoding, in stored order. */
const FIXED: ReadonlyArray<[string, Kind]> = [
  ['addressFullMessagePolicy', FULL_POLICY],
  ['maxSizeBytes', 'long'],
  ['pageSizeBytes', 'longAsInt'],
  ['pageCacheMaxSize', 'int'],
  ['dropMessagesWhenFull', 'bool'],
  ['maxDeliveryAttempts', 'int'],
  ['messageCounterHistoryDayLimit', 'int'],
  ['redeliveryDelay', 'long'],
  ['redeliveryMultiplier', 'double'],
  ['maxRedeliveryDelay', 'long'],
  ['deadLetterAddress', 'string'],
  ['expiryAddress', 'string'],
  ['expiryDelay', 'long'],
  ['defaultLastValueQueue', 'bool'],
  ['redistributionDelay', 'long'],
  ['sendToDLAOnNoRoute', 'bool'],
  ['slowConsumerThreshold', 'long'],
  ['slowConsumerCheckPeriod', 'long'],
  ['slowConsumerPolicy', SLOW_CONSUMER_POLICY],
  ['autoCreateJmsQueues', 'bool'],
  ['autoDeleteJmsQueues', 'bool'],
  ['autoCreateJmsTopics', 'bool'],
  ['autoDeleteJmsTopics', 'bool'],
  ['autoCreateQueues', 'bool'],
  ['autoDeleteQueues', 'bool'],
  ['configDeleteQueues', DELETION_POLICY],
  ['autoCreateAddresses', 'bool'],
  ['autoDeleteAddresses', 'bool'],
  ['configDeleteAddresses', DELETION_POLICY],
  ['managementBrowsePageSize', 'int'],
  ['maxSizeBytesRejectThreshold', 'long'],
  ['defaultMaxConsumers', 'int'],
  ['defaultPurgeOnNoConsumers', 'bool'],
  ['defaultQueueRoutingType', 'routingType'],
  ['defaultAddressRoutingType', 'routingType'],
];

/** Trailing fields, each read only while bytes remain. */
const OPTIONAL: ReadonlyArray<[string, Kind]> = [
  ['defaultExclusiveQueue', 'bool'],
  ['defaultConsumersBeforeDispatch', 'int'],
  ['defaultDelayBeforeDispatch', 'long'],
  ['defaultConsumerWindowSize', 'int'],
  ['defaultLastValueKey', 'string'],
  ['defaultNonDestructive', 'bool'],
  ['autoDeleteQueuesDelay', 'long'],
  ['autoDeleteAddressesDelay', 'long'],
  ['defaultGroupRebalance', 'bool'],
  ['defaultGroupBuckets', 'int'],
  ['autoDeleteQueuesMessageCount', 'long'],
  ['autoDeleteCreatedQueues', 'bool'],
  ['defaultRingSize', 'long'],
  ['redeliveryCollisionAvoidanceFactor', 'double'],
  ['defaultGroupFirstKey', 'string'],
  ['retroactiveMessageCount', 'long'],
  ['autoCreateDeadLetterResources', 'bool'],
  ['deadLetterQueuePrefix', 'string'],
  ['deadLetterQueueSuffix', 'string'],
  ['autoCreateExpiryResources', 'bool'],
  ['expiryQueuePrefix', 'string'],
  ['expiryQueueSuffix', 'string'],
  ['minExpiryDelay', 'long'],
  ['maxExpiryDelay', 'long'],
  ['enableMetrics', 'bool'],
  ['defaultGroupRebalancePauseDispatch', 'bool'],
  ['managementMessageAttributeSizeLimit', 'int'],
  ['slowConsumerThresholdMeasurementUnit', 'unit'],
  ['enableIngressTimestamp', 'bool'],
  ['configDeleteDiverts', DELETION_POLICY],
  ['maxSizeMessages', 'long'],
  ['maxReadPageBytes', 'int'],
  ['maxReadPageMessages', 'int'],
  ['pageLimitBytes', 'long'],
  ['pageLimitMessages', 'long'],
  ['pageFullMessagePolicy', PAGE_FULL_POLICY],
  ['autoDeleteQueuesSkipUsageCheck', 'bool'],
  ['autoDeleteAddressesSkipUsageCheck', 'bool'],
  ['idCacheSize', 'int'],
  ['prefetchPageBytes', 'int'],
  ['prefetchPageMessages', 'int'],
];

/**
 * Legacy binary record. Like the broker, first decode normally; if that fails, decode again with
 * the `config-delete-*` strings treated as absent (some old writers left them out). Enum names are
 * validated so that a misaligned decode fails instead of producing garbage.
 */
export function decodeAddressSettingBinary(body: Buffer): PersistedAddressSetting {
  try {
    return decodeBinary(body, false);
  } catch {
    return decodeBinary(body, true);
  }
}

function decodeBinary(body: Buffer, compatible: boolean): PersistedAddressSetting {
  const r = new BufferReader(body);
  const addressMatch = readSimpleString(r);
  const settings: Record<string, SettingValue> = {};
  const put = (name: string, kind: Kind): void => {
    if (typeof kind === 'object' && kind.deletionPolicy && compatible) return;
    const v = readValue(r, name, kind);
    if (v !== null) settings[name] = v;
  };
  for (const [name, kind] of FIXED) put(name, kind);
  for (const [name, kind] of OPTIONAL) {
    if (r.remaining === 0) break;
    put(name, kind);
  }
  return { addressMatch, settings, source: 'binary', json: null, compatibilityMode: compatible };
}

function readValue(r: BufferReader, name: string, kind: Kind): SettingValue {
  switch (kind) {
    case 'string':
      return readNullableSimpleString(r);
    case 'long':
      return readNullableLong(r);
    case 'longAsInt': {
      // Stored as a long, used as a Java int (truncated like Long.intValue()).
      const v = readNullableLong(r);
      return v === null ? null : Number(BigInt.asIntN(32, v));
    }
    case 'int':
      return readNullableInt(r);
    case 'bool':
      return readNullableBool(r);
    case 'double':
      return readNullableDouble(r);
    case 'routingType':
      // Not nullable; an unknown byte means "not set" for the broker.
      return routingTypeFromByte(r.u8());
    case 'unit': {
      const v = readNullableInt(r);
      if (v === null) return null;
      const unit = MEASUREMENT_UNITS.get(v);
      if (unit === undefined) r.fail(`${name}: unknown measurement unit ${v}`);
      return unit;
    }
    default: {
      const v = readNullableSimpleString(r);
      if (v !== null && !kind.values.includes(v)) r.fail(`${name}: unknown value ${JSON.stringify(v.slice(0, 40))}`);
      return v;
    }
  }
}
