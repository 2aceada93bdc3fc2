/** KEY_VALUE_PAIR_RECORD (50, §8.10): the connection-router cache. */
import { BufferReader } from '../binary/reader.js';
import { readString } from '../binary/strings.js';

export interface PersistedKeyValue {
  mapId: string;
  key: string;
  value: string;
}

export function decodeKeyValue(body: Buffer): PersistedKeyValue {
  const r = new BufferReader(body);
  return { mapId: readString(r), key: readString(r), value: readString(r) };
}
