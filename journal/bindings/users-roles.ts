/** USER_RECORD (47) and ROLE_RECORD (48), §8.10: the basic security manager's users. */
import { BufferReader } from '../binary/reader.js';
import { readString } from '../binary/strings.js';

export interface PersistedUser {
  username: string;
  /** As stored by the security manager (hashed or masked). */
  password: string;
}

export interface PersistedRole {
  username: string;
  roles: string[];
}

export function decodeUser(body: Buffer): PersistedUser {
  const r = new BufferReader(body);
  return { username: readString(r), password: readString(r) };
}

export function decodeRole(body: Buffer): PersistedRole {
  const r = new BufferReader(body);
  const username = readString(r);
  const count = r.i32();
  if (count < 0) r.fail(`user ${username}: negative role count ${count}`);
  r.need(count * 4, 'role names'); // each role is at least its i32 length
  const roles: string[] = [];
  for (let i = 0; i < count; i++) roles.push(readString(r));
  return { username, roles };
}
