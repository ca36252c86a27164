/**
 * One error type for the whole code base. The core (crypto, protocol, tally, server queries)
 * throws `AppError` with a stable machine-readable `code`; exactly one place on the server
 * (server/http-errors.ts) maps codes to HTTP statuses and the JSON body
 * `{ "error": { "code", "message" } }`. The verifier prints the code of the first failure.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

export function fail(code: string, message: string): never {
  throw new AppError(code, message);
}
