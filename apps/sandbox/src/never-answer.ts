// The "answer lost" outcome (amount ending in 09): the intent exists, but the HTTP answer never
// leaves. The promise never settles; closing the sandbox destroys the held connection.
export function neverAnswer<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
