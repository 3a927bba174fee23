// The fault matrix's knobs, from the environment, with the defaults a CI run uses (about ten
// minutes on two cores, build included).

function int(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not ${raw}`);
  return value;
}

export interface FaultSettings {
  /** Payments sent over the traffic window. */
  payments: number;
  /** Unreferenced AMEX refunds sent alongside. */
  refunds: number;
  /** Klio SmartPos payments (card and QR) sent over the same window; some are annulled. */
  klioPayments: number;
  /** Klio payment batches (several payments for one device as one ordered request) sent over the same window. */
  klioBatches: number;
  /** pagoUno split charges sent over the same window; some are annulled. */
  pagounoPayments: number;
  /** How long the payments are spread over. */
  trafficSeconds: number;
  /** Quiet time between two faults. */
  gapSeconds: number;
  /** How long the provider answers half its requests with errors (fault f). */
  providerErrorSeconds: number;
  /** Latency the provider adds to every request meanwhile. */
  providerLatencyMs: number;
  /** How long the accounting consumer and the webhook receiver stay down (fault i). */
  consumerDownSeconds: number;
  /** A killed payments worker is started again after this. */
  restartAfterMs: number;
  /** The bound on the time from SIGKILL to the next provider request of an operation it held. */
  resumeLimitMs: number;
  /** How long everything may take to become final and reach every consumer after the traffic. */
  settleSeconds: number;
  /** PAYSTORE_TIMEOUT_MS, KLIO_TIMEOUT_MS and PAGOUNO_TIMEOUT_MS of the workers (fault g holds a create longer than this). */
  providerTimeoutMs: number;
  pgCluster: string;
  pgPort: number;
  /** 0: a free one. */
  redisPort: number;
}

export function faultSettings(): FaultSettings {
  return {
    payments: int('FAULTS_PAYMENTS', 1000),
    refunds: int('FAULTS_REFUNDS', 100),
    klioPayments: int('FAULTS_KLIO_PAYMENTS', 72),
    klioBatches: int('FAULTS_KLIO_BATCHES', 8),
    pagounoPayments: int('FAULTS_PAGOUNO_PAYMENTS', 36),
    trafficSeconds: int('FAULTS_TRAFFIC_SECONDS', 240),
    gapSeconds: int('FAULTS_GAP_SECONDS', 15),
    providerErrorSeconds: int('FAULTS_PROVIDER_ERROR_SECONDS', 60),
    providerLatencyMs: int('FAULTS_PROVIDER_LATENCY_MS', 1500),
    consumerDownSeconds: int('FAULTS_CONSUMER_DOWN_SECONDS', 150),
    restartAfterMs: int('FAULTS_RESTART_AFTER_MS', 1000),
    resumeLimitMs: int('FAULTS_RESUME_LIMIT_MS', 15_000),
    settleSeconds: int('FAULTS_SETTLE_SECONDS', 360),
    providerTimeoutMs: int('FAULTS_PROVIDER_TIMEOUT_MS', 3000),
    pgCluster: process.env.FAULTS_PG_CLUSTER || 'faults',
    pgPort: int('FAULTS_PG_PORT', 5439),
    redisPort: int('FAULTS_REDIS_PORT', 0),
  };
}
