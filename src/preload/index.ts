/**
 * The renderer's only door to the app: one generic call and one event stream. Method names and
 * arguments are validated by the backend, so nothing here knows the contract's methods.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('auwBridge', {
  call: (method: string, args: unknown): Promise<unknown> => ipcRenderer.invoke('api:call', method, args),
  onEvent: (listener: (message: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on('api:event', wrapped);
    return () => ipcRenderer.removeListener('api:event', wrapped);
  },
  /**
   * Paths of dropped files. Resolved here from real File objects (a page cannot forge those),
   * and granted to the backend so it may import them.
   */
  droppedPaths: (files: File[]): string[] => {
    const paths = files.map((f) => webUtils.getPathForFile(f)).filter(Boolean);
    ipcRenderer.send('files:dropped', paths);
    return paths;
  },
});
