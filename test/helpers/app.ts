/** A real project behind the real handlers (compose + dispatch), as the CLI and UI reach it. */
import path from 'node:path';
import { compose } from '../../src/main/compose';
import { dispatch } from '../../src/main/api/dispatch';
import type { MethodName, Params, Result } from '../../src/shared/contract';
import type { ErrorCode } from '../../src/shared/errors';

export interface TestApp {
  app: ReturnType<typeof compose>;
  dir: string;
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** The error envelope of a call that must fail. */
  fails<M extends MethodName>(method: M, params: Params<M>): Promise<{ code: ErrorCode; message: string }>;
}

export async function makeApp(root: string, aus: number[] = [1, 2, 12]): Promise<TestApp> {
  const app = compose({ shell: 'cli', roots: [root], settingsDir: path.join(root, 'settings'), demoDir: null });
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const r = await dispatch(app.handlers, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as Result<M>;
  };
  const fails = async <M extends MethodName>(method: M, params: Params<M>) => {
    const r = await dispatch(app.handlers, method, params);
    if (r.ok) throw new Error(`${method} was expected to fail but answered ${JSON.stringify(r.result).slice(0, 200)}`);
    return r.error;
  };
  const dir = path.join(root, 'project');
  await call('projects/create', { dir, name: 'coding test', auSet: { custom: aus, name: 'Test AUs' } });
  return { app, dir, call, fails };
}
