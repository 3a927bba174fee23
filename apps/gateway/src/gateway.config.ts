// The gateway's configuration: the shared environment schema, resolved once in createGatewayApp
// (environment first, then the caller's overrides) and injected by token.
import type { AppConfig } from '@app/common';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export type GatewayConfig = AppConfig;

/** Request bodies above this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;
