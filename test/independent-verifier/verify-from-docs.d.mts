/** Types of what the independent verifier exports when imported (it is a script written from docs/ alone). */
/** Strict I-JSON parse of text; throws on duplicate members, lone surrogates and bad JSON. */
export function parseStrictJson(text: string): unknown;
/** The "Ed25519" rule of docs/bundle-format.md: null when valid, else why not. */
export function ed25519VerifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): string | null;
