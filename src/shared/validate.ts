import type { z } from 'zod';
import { contract, isMethodName, type Args, type MethodName } from './contract';
import { ApiError } from './errors';

export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'argument';
      if (issue.code === 'unrecognized_keys') return `${where}: unknown field(s) ${issue.keys.join(', ')}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates an untrusted method name and argument at a transport boundary. */
export function parseCall(method: unknown, raw: unknown): { method: MethodName; args: Args<MethodName> } {
  if (typeof method !== 'string' || !isMethodName(method)) {
    throw new ApiError('unknown_method', `There is no API method called "${String(method).slice(0, 80)}".`);
  }
  const parsed = contract[method].input.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ApiError('invalid_argument', `Bad argument to ${method}: ${describeIssues(parsed.error.issues)}.`);
  }
  return { method, args: parsed.data as Args<MethodName> };
}
