/** Display helpers shared by the pages. */

/** `efe2b92121fc0a8b` → `efe2 b921 21fc 0a8b`: easier to read aloud and compare. */
export const groupHex = (hex: string) => hex.match(/.{1,4}/g)?.join(' ') ?? hex;

/** The short form of a receipt shown to the voter: its first 16 hex characters, grouped. */
export const shortReceipt = (receipt: string) => groupHex(receipt.slice(0, 16));
