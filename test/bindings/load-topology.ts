/** Test helper: topology of a real data directory through the test-local journal reader. */
import { Diagnostics } from '../../journal/diagnostics.js';
import { TopologyBuilder, type Topology } from '../../journal/bindings/topology.js';
import { readBindingsEvents, type BindingsScan } from './fixture-records.js';

export function loadTopology(dataDir: string): { topology: Topology; diagnostics: Diagnostics; scan: BindingsScan } {
  const diagnostics = new Diagnostics();
  const builder = new TopologyBuilder(diagnostics);
  const scan = readBindingsEvents(dataDir);
  builder.noteBindingsFiles(scan.fileNames);
  for (const e of scan.events) {
    if (e.kind === 'record') builder.apply(e.rec);
    else builder.delete(e.id);
  }
  return { topology: builder.finish(), diagnostics, scan };
}
