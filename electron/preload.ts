import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, type LoupeBridge } from '../native/api/bridge.js';
import type { EventName, EventPayloads } from '../native/api/events.js';

/** Exactly two verbs cross into the page: invoke a contract method, subscribe to an event. */
const bridge: LoupeBridge = {
  invoke: (method, params) => ipcRenderer.invoke(ipcChannels.invoke, String(method), params),
  subscribe<E extends EventName>(event: E, handler: (payload: EventPayloads[E]) => void) {
    const listener = (_event: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) handler(payload as EventPayloads[E]);
    };
    ipcRenderer.on(ipcChannels.event, listener);
    return () => void ipcRenderer.removeListener(ipcChannels.event, listener);
  },
};

contextBridge.exposeInMainWorld('loupe', bridge);
