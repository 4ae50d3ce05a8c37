/**
 * The renderer's only door to the app: one generic call and one event stream. Method names and
 * arguments are validated by the backend, so nothing here knows the contract's methods.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('auwBridge', {
  call: (method: string, args: unknown): Promise<unknown> => ipcRenderer.invoke('api:call', method, args),
  onEvent: (listener: (message: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on('api:event', wrapped);
    return () => ipcRenderer.removeListener('api:event', wrapped);
  },
});
