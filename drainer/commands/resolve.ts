/** `resolve`: apply a transaction manager's decision to parked in-doubt messages (docs/in-doubt.md). */
import type { Logger } from 'pino';
import { ExitCode } from '../exit-codes.js';
import { OptionsError } from '../drain/options.js';
import { resolveResolveOptions } from '../resolve/resolve-options.js';
import { runResolve } from '../resolve/run-resolve.js';

export async function runResolveCommand(flags: Record<string, string | boolean | string[] | undefined>, log: Logger): Promise<number> {
  let opts;
  try {
    opts = resolveResolveOptions(flags, process.env);
  } catch (e) {
    if (e instanceof OptionsError) {
      log.error(e.message);
      return ExitCode.USAGE;
    }
    throw e;
  }
  const sel = opts.selector;
  log.info(
    {
      targets: opts.connection.targets,
      parkQueue: opts.parkQueue,
      decision: opts.decision ?? 'list',
      xid: sel.all ? 'all' : 'key' in sel ? sel.key : `gtrid ${sel.gtrid}`,
      logins: opts.connection.credentials.map((c) => `${c.source}:${c.user}`),
    },
    'resolve configuration',
  );
  return runResolve(opts, log, (line) => process.stdout.write(line + '\n'));
}
