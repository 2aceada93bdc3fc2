/**
 * SECURITY_SETTING_RECORD (26, §8.7): role lists (comma-separated, nullable) per permission for one
 * address match. `view` and `edit` were added in 2.33; older writers may also have stored fewer of
 * the others, so every role list is read only while bytes remain.
 */
import { BufferReader } from '../binary/reader.js';
import { readNullableSimpleString, readSimpleString } from '../binary/strings.js';

export const SECURITY_PERMISSIONS = [
  'send',
  'consume',
  'createDurableQueue',
  'deleteDurableQueue',
  'createNonDurableQueue',
  'deleteNonDurableQueue',
  'manage',
  'browse',
  'createAddress',
  'deleteAddress',
  'view',
  'edit',
] as const;

export type SecurityPermission = (typeof SECURITY_PERMISSIONS)[number];

export interface PersistedSecuritySetting {
  addressMatch: string;
  /** Permission -> comma-separated role names; absent or null when not stored. */
  roles: Partial<Record<SecurityPermission, string | null>>;
}

export function decodeSecuritySetting(body: Buffer): PersistedSecuritySetting {
  const r = new BufferReader(body);
  const addressMatch = readSimpleString(r);
  const roles: PersistedSecuritySetting['roles'] = {};
  for (const p of SECURITY_PERMISSIONS) {
    if (r.remaining === 0) break;
    roles[p] = readNullableSimpleString(r);
  }
  return { addressMatch, roles };
}
