/**
 * oidc-provider's stateful models (sessions, interactions, codes, tokens, grants) in this
 * emulator's memory, gone when it stops. Configuring it also keeps oidc-provider from warning
 * about its own development-only adapter (and from sharing one store between emulators).
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/** Payloads by `<model>:<id>`. */
export type AdapterStore = Map<string, { payload: AdapterPayload; expiresAt: number }>;

export function memoryAdapter(store: AdapterStore): AdapterFactory {
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  const findBy = (model: string, match: (p: AdapterPayload) => boolean) => {
    for (const key of store.keys()) {
      const payload = key.startsWith(`${model}:`) ? live(key) : undefined;
      if (payload && match(payload)) return payload;
    }
    return undefined;
  };
  return (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      store.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => findBy(model, (p) => p.uid === uid),
    findByUserCode: async (userCode) => findBy(model, (p) => p.userCode === userCode),
    consume: async (id) => {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      store.delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      for (const [key, { payload }] of store) if (payload.grantId === grantId) store.delete(key);
    },
  });
}
