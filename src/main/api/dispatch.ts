import type { Handlers } from '../../shared/contract';
import { type Envelope } from '../../shared/errors';
import { parseCall } from '../../shared/validate';
import { explainSystemError } from '../services/system-errors';

/**
 * The single entry every transport calls: validate the untrusted name and argument, run the
 * handler, and wrap the outcome. Known system failures (a full disk, a damaged database, a
 * folder where a file was expected) become errors that say what to do; anything else is logged
 * here and reaches the UI as a readable message rather than a stack.
 */
export async function dispatch(handlers: Handlers, method: unknown, raw: unknown): Promise<Envelope<unknown>> {
  try {
    const call = parseCall(method, raw);
    const handler = handlers[call.method] as (args: unknown) => unknown;
    return { ok: true, result: (await handler(call.args)) ?? null };
  } catch (err) {
    const explained = explainSystemError(err);
    if (explained) {
      if (explained.code === 'disk_full' || explained.code === 'corrupt') console.error(`[api] ${String(method)}: ${explained.message}`, err);
      return { ok: false, error: explained.toJSON() };
    }
    console.error(`[api] ${String(method)} failed:`, err);
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'internal', message: `Something went wrong in ${String(method)}: ${message}. The details are in the app log.` } };
  }
}
