/**
 * Where this device keeps its check-in state, tokens and receipts: the VoterStore of
 * shared/protocol/voter-flow.ts over window.localStorage, so a token survives a reload or a
 * closed tab between check-in and the opening of the vote.
 */
import { memoryStore, STORE_PREFIX, type VoterStore } from '../../../shared/protocol/voter-flow.ts';

export function localStorageStore(storage: Storage = window.localStorage): VoterStore {
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
    keys: () => Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((key): key is string => key !== null),
  };
}

/**
 * localStorage when the browser allows it. Some refuse it outright (storage disabled); voting
 * still works from memory then, as long as the page is not reloaded.
 */
export function openVoterStore(): VoterStore {
  try {
    const storage = window.localStorage;
    storage.getItem(STORE_PREFIX);
    return localStorageStore(storage);
  } catch {
    return memoryStore();
  }
}

/**
 * The store with a switch that stops every later write. A kiosk revokes a voter's store when it
 * wipes it, so that a request still in flight cannot write that voter's token back afterwards.
 */
export function revocableStore(store: VoterStore): { store: VoterStore; revoke(): void } {
  let revoked = false;
  return {
    store: {
      get: (key) => store.get(key),
      set: (key, value) => void (revoked || store.set(key, value)),
      remove: (key) => void (revoked || store.remove(key)),
      keys: () => store.keys(),
    },
    revoke: () => void (revoked = true),
  };
}
