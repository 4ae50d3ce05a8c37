import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ApiClient, EventName, Events, MethodName, Params, Result } from '@shared/contract';
import type { DataDomain } from '@shared/types';

import type { FileIntake } from './client';

/** `download`: browser mode's save of a server file (a plain link cannot carry the token). */
export type Client = ApiClient & { intake: FileIntake; shell: 'electron' | 'browser'; download: (href: string, name: string) => Promise<void> };
export const ApiContext = createContext<Client | null>(null);

export function useApi(): Client {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export function useEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  const api = useApi();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(event, (p) => ref.current(p)), [api, event]);
}

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** Calls a method and re-calls it when the server says one of `domains` changed. */
export function useQuery<M extends MethodName>(method: M, params: Params<M>, domains: DataDomain[] = []): QueryState<Result<M>> {
  const api = useApi();
  const key = JSON.stringify(params);
  const [state, setState] = useState<{ data: Result<M> | undefined; error: Error | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    api.call(method, JSON.parse(key) as Params<M>).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [api, method, key, tick]);
  const domainKey = domains.join(',');
  useEvent('data/changed', (p) => {
    if (domainKey.split(',').includes(p.domain)) reload();
  });
  return { ...state, reload };
}
