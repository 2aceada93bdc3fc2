/** GROUP_RECORD (20, §8.5): message-grouping handler state of a cluster; not needed to drain. */
import { BufferReader } from '../binary/reader.js';
import { readSimpleString } from '../binary/strings.js';

export interface GroupBinding {
  groupId: string;
  clusterName: string;
}

export function decodeGroupRecord(body: Buffer): GroupBinding {
  const r = new BufferReader(body);
  return { groupId: readSimpleString(r), clusterName: readSimpleString(r) };
}
