// Public surface of @app/provider-http: the HTTP plumbing the provider clients share — one
// breaker per operation, a timed fetch, and what a failed fetch says of the request.
export * from './operation-breakers';
export * from './fetch-failure';
export * from './timed-exchange';
export * from './client-options';
export * from './provider-text';
