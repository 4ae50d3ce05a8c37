import type { Handlers } from '../../shared/contract';
import { ApiError, type Envelope } from '../../shared/errors';
import { parseCall } from '../../shared/validate';

/**
 * The single entry every transport calls: validate the untrusted name and argument, run the
 * handler, and wrap the outcome. Unexpected errors are logged here and reach the UI as a
 * readable message rather than a stack.
 */
export async function dispatch(handlers: Handlers, method: unknown, raw: unknown): Promise<Envelope<unknown>> {
  try {
    const call = parseCall(method, raw);
    const handler = handlers[call.method] as (args: unknown) => unknown;
    return { ok: true, result: (await handler(call.args)) ?? null };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err.toJSON() };
    console.error(`[api] ${String(method)} failed:`, err);
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'internal', message: `Something went wrong in ${String(method)}: ${message}. The details are in the app log.` } };
  }
}
