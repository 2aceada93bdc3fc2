/**
 * Builds the broker topology (addresses, queues and persisted configuration) from the live records
 * of the bindings journal (§8 load rule, §13.1).
 *
 * Records are kept in the order they became effective and decoded in finish(), replaying the
 * broker's own load loop: later records replace earlier ones for the same key, status records
 * attach to the queue/address known at that point, and ids deleted at any time are dropped
 * entirely (§7.2 set semantics: ids are never reused).
 */
import { DecodeError } from '../binary/reader.js';
import type { Diagnostics } from '../diagnostics.js';
import { decodeAddressBinding, type AddressBinding } from './address-binding.js';
import { decodeAddressSettingBinary, decodeAddressSettingJson, type PersistedAddressSetting } from './address-settings.js';
import { decodeBridge, type PersistedBridge } from './bridge.js';
import { decodeConnector, type PersistedConnector } from './connector.js';
import { decodeDivert, type PersistedDivert } from './divert.js';
import type { EffectiveRecord } from './effective-record.js';
import { detectFormat, type FormatVerdict } from './format-detection.js';
import { decodeGroupRecord, type GroupBinding } from './group-record.js';
import { decodeIdCounter } from './id-counter.js';
import { decodeKeyValue, type PersistedKeyValue } from './key-value.js';
import { decodeQueueBinding, type QueueBinding } from './queue-binding.js';
import { BindingsRecordType as T, bindingsRecordTypeName, type RoutingType } from './record-types.js';
import { decodeSecuritySetting, type PersistedSecuritySetting } from './security-settings.js';
import { decodeStatusRecord, type StatusRecord } from './status-records.js';
import { decodeRole, decodeUser, type PersistedRole, type PersistedUser } from './users-roles.js';

export interface AddressInfo {
  id: bigint;
  name: string;
  routingTypes: RoutingType[];
  autoCreated: boolean;
  internal: boolean;
  paused: boolean;
}

export interface QueueInfo {
  id: bigint;
  name: string;
  address: string;
  routingType: RoutingType;
  filter: string | null;
  /** Only durable queues are stored. */
  durable: true;
  user: string | null;
  autoCreated: boolean;
  maxConsumers: number;
  purgeOnNoConsumers: boolean;
  exclusive: boolean;
  lastValue: boolean;
  lastValueKey: string | null;
  nonDestructive: boolean;
  consumersBeforeDispatch: number;
  delayBeforeDispatch: bigint;
  groupRebalance: boolean;
  groupRebalancePauseDispatch: boolean;
  groupBuckets: number;
  groupFirstKey: string | null;
  autoDelete: boolean;
  autoDeleteDelay: bigint;
  autoDeleteMessageCount: bigint;
  ringSize: bigint;
  configurationManaged: boolean;
  enabled: boolean;
  internal: boolean;
  paused: boolean;
  /** Fields stored in the binding record (5 = Artemis 1.x … 25 = 2.31+). */
  fieldsPresent: number;
}

/** A persisted configuration item with the journal record id it came from. */
export type Stored<X> = X & { recordId: bigint };

export interface Topology {
  addresses: AddressInfo[];
  queues: QueueInfo[];
  addressSettings: Array<Stored<PersistedAddressSetting>>;
  securitySettings: Array<Stored<PersistedSecuritySetting>>;
  diverts: Array<Stored<PersistedDivert>>;
  bridges: Array<Stored<PersistedBridge>>;
  users: Array<Stored<PersistedUser>>;
  roles: Array<Stored<PersistedRole>>;
  keyValues: Array<Stored<PersistedKeyValue>>;
  connectors: Array<Stored<PersistedConnector>>;
  groupBindings: Array<Stored<GroupBinding>>;
  /** Highest live ID_COUNTER value (every id of this broker is at most this), or null. */
  idCounter: bigint | null;
  format: FormatVerdict;
}

const LEGACY_JMS_FILE = /^activemq-jms-\d+\.jms$/;

export class TopologyBuilder {
  private readonly records: EffectiveRecord[] = [];
  private readonly seen = new Set<bigint>();
  private readonly deleted = new Set<bigint>();
  private readonly legacyJmsFiles: string[] = [];

  constructor(private readonly diagnostics: Diagnostics) {}

  apply(rec: EffectiveRecord): void {
    if (this.deleted.has(rec.id)) return;
    this.records.push(rec);
    this.seen.add(rec.id);
  }

  /** Returns true if a live record with this id had been applied. */
  delete(id: bigint): boolean {
    const known = this.seen.has(id) && !this.deleted.has(id);
    this.deleted.add(id);
    return known;
  }

  /** Optional: names of the files in the bindings folder (a legacy JMS journal is a weak 1.x hint). */
  noteBindingsFiles(names: readonly string[]): void {
    for (const n of names) if (LEGACY_JMS_FILE.test(n)) this.legacyJmsFiles.push(n);
  }

  finish(): Topology {
    const d = this.diagnostics;
    const queues = new Map<bigint, { rec: EffectiveRecord; q: QueueBinding; statuses: StatusRecord[] }>();
    const addresses = new Map<bigint, { a: AddressBinding; status: StatusRecord | null }>();
    let addressBindingRecords = 0;
    const addressSettings = new Map<string, Stored<PersistedAddressSetting>>();
    const securitySettings = new Map<string, Stored<PersistedSecuritySetting>>();
    const diverts = new Map<string | null, Stored<PersistedDivert>>();
    const bridges = new Map<string | null, Stored<PersistedBridge>>();
    const users = new Map<string, Stored<PersistedUser>>();
    const roles = new Map<string, Stored<PersistedRole>>();
    const keyValues = new Map<string, Stored<PersistedKeyValue>>();
    const connectors = new Map<string, Stored<PersistedConnector>>();
    const groupBindings: Array<Stored<GroupBinding>> = [];
    let idCounter: bigint | null = null;

    for (const rec of this.records) {
      if (this.deleted.has(rec.id)) continue;
      const id = rec.id;
      // Queue/address bindings decide what can be drained: failing them is an error. Everything
      // else is configuration the drain does not depend on.
      const decode = <X>(fn: (b: Buffer) => X, severity: 'error' | 'warning'): X | null => {
        try {
          return fn(rec.body);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          const what = bindingsRecordTypeName(rec.userType);
          const msg = `bindings record ${id} (${what}) could not be decoded: ${e.message} (at payload byte ${e.at})`;
          d.add(severity, rec.file, rec.offset, msg, `undecodable ${what}`);
          return null;
        }
      };
      const stored = <X>(x: X): Stored<X> => ({ ...x, recordId: id });

      switch (rec.userType) {
        case T.QUEUE_BINDING: {
          const q = decode(decodeQueueBinding, 'error');
          // A replaced binding loses the statuses attached so far, as in the broker.
          if (q) queues.set(id, { rec, q, statuses: [] });
          break;
        }
        case T.ADDRESS_BINDING: {
          addressBindingRecords++;
          const a = decode(decodeAddressBinding, 'error');
          if (a) addresses.set(id, { a, status: null });
          break;
        }
        case T.QUEUE_STATUS: {
          const s = decode(decodeStatusRecord, 'warning');
          if (!s) break;
          this.checkStatus(rec, s);
          const q = queues.get(s.targetId);
          if (q) q.statuses.push(s);
          else d.info(rec.file, rec.offset, `queue status record ${id} refers to unknown queue ${s.targetId}; ignored (the broker deletes it)`, 'orphan queue status');
          break;
        }
        case T.ADDRESS_STATUS: {
          const s = decode(decodeStatusRecord, 'warning');
          if (!s) break;
          this.checkStatus(rec, s);
          const a = addresses.get(s.targetId);
          // The broker keeps one status per address: the last one read.
          if (a) a.status = s;
          else d.info(rec.file, rec.offset, `address status record ${id} refers to unknown address ${s.targetId}; ignored (the broker deletes it)`, 'orphan address status');
          break;
        }
        case T.ID_COUNTER: {
          const v = decode(decodeIdCounter, 'warning');
          if (v !== null && (idCounter === null || v > idCounter)) idCounter = v;
          break;
        }
        case T.GROUP: {
          const g = decode(decodeGroupRecord, 'warning');
          if (g) groupBindings.push(stored(g));
          break;
        }
        case T.ADDRESS_SETTING_BINARY:
        case T.ADDRESS_SETTING_JSON: {
          const fn = rec.userType === T.ADDRESS_SETTING_JSON ? decodeAddressSettingJson : decodeAddressSettingBinary;
          const s = decode(fn, 'warning');
          if (s) addressSettings.set(s.addressMatch, stored(s));
          break;
        }
        case T.SECURITY_SETTING: {
          const s = decode(decodeSecuritySetting, 'warning');
          if (s) securitySettings.set(s.addressMatch, stored(s));
          break;
        }
        case T.DIVERT: {
          const v = decode(decodeDivert, 'warning');
          if (v) diverts.set(v.name, stored(v));
          break;
        }
        case T.BRIDGE: {
          const v = decode(decodeBridge, 'warning');
          if (v) bridges.set(v.parentName, stored(v));
          break;
        }
        case T.USER: {
          const v = decode(decodeUser, 'warning');
          if (v) users.set(v.username, stored(v));
          break;
        }
        case T.ROLE: {
          const v = decode(decodeRole, 'warning');
          if (v) roles.set(v.username, stored(v));
          break;
        }
        case T.KEY_VALUE_PAIR: {
          const v = decode(decodeKeyValue, 'warning');
          if (v) keyValues.set(JSON.stringify([v.mapId, v.key]), stored(v));
          break;
        }
        case T.CONNECTOR: {
          const v = decode(decodeConnector, 'warning');
          if (v) connectors.set(v.name, stored(v));
          break;
        }
        default:
          d.warning(rec.file, rec.offset, `bindings record ${id} has unknown user record type ${rec.userType}; ignored (as the broker does)`, 'unknown bindings record type');
      }
    }

    const queueList: QueueInfo[] = [...queues].map(([id, { q, statuses }]) => toQueueInfo(id, q, statuses));
    this.checkDuplicateQueueNames(queues);
    const addressList: AddressInfo[] = [...addresses].map(([id, { a, status }]) => ({
      id,
      name: a.name,
      routingTypes: a.routingTypes,
      autoCreated: a.autoCreated,
      internal: a.internal,
      paused: status?.status === 'PAUSED',
    }));

    return {
      addresses: addressList,
      queues: queueList,
      addressSettings: [...addressSettings.values()],
      securitySettings: [...securitySettings.values()],
      diverts: [...diverts.values()],
      bridges: [...bridges.values()],
      users: [...users.values()],
      roles: [...roles.values()],
      keyValues: [...keyValues.values()],
      connectors: [...connectors.values()],
      groupBindings,
      idCounter,
      format: detectFormat({ queues: queueList, addressBindingRecords, legacyJmsFiles: this.legacyJmsFiles }),
    };
  }

  private checkStatus(rec: EffectiveRecord, s: StatusRecord): void {
    if (s.status === null) {
      this.diagnostics.warning(rec.file, rec.offset, `status record ${rec.id} has unknown status value ${s.rawStatus}; treated as not paused`, 'unknown status value');
    }
  }

  private checkDuplicateQueueNames(queues: Map<bigint, { rec: EffectiveRecord; q: QueueBinding }>): void {
    const byName = new Map<string, bigint>();
    for (const [id, { rec, q }] of queues) {
      const other = byName.get(q.name);
      if (other === undefined) byName.set(q.name, id);
      else this.diagnostics.warning(rec.file, rec.offset, `queue name "${q.name}" is bound twice (queue ids ${other} and ${id})`, 'duplicate queue name');
    }
  }
}

function toQueueInfo(id: bigint, q: QueueBinding, statuses: StatusRecord[]): QueueInfo {
  return {
    id,
    name: q.name,
    address: q.address,
    routingType: q.routingType,
    filter: q.filter,
    durable: true,
    user: q.user,
    autoCreated: q.autoCreated,
    maxConsumers: q.maxConsumers,
    purgeOnNoConsumers: q.purgeOnNoConsumers,
    exclusive: q.exclusive,
    lastValue: q.lastValue,
    lastValueKey: q.lastValueKey,
    nonDestructive: q.nonDestructive,
    consumersBeforeDispatch: q.consumersBeforeDispatch,
    delayBeforeDispatch: q.delayBeforeDispatch,
    groupRebalance: q.groupRebalance,
    groupRebalancePauseDispatch: q.groupRebalancePauseDispatch,
    groupBuckets: q.groupBuckets,
    groupFirstKey: q.groupFirstKey,
    autoDelete: q.autoDelete,
    autoDeleteDelay: q.autoDeleteDelay,
    autoDeleteMessageCount: q.autoDeleteMessageCount,
    ringSize: q.ringSize,
    configurationManaged: q.configurationManaged,
    enabled: q.enabled,
    internal: q.internal,
    paused: statuses.some((s) => s.status === 'PAUSED'),
    fieldsPresent: q.fieldsPresent,
  };
}
