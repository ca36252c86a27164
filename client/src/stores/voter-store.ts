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
