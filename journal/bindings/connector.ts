/** CONNECTOR_RECORD (51, §8.10): a connector created through management (2.29+). */
import { BufferReader } from '../binary/reader.js';
import { readString } from '../binary/strings.js';

export interface PersistedConnector {
  name: string;
  url: string;
}

export function decodeConnector(body: Buffer): PersistedConnector {
  const r = new BufferReader(body);
  return { name: readString(r), url: readString(r) };
}
