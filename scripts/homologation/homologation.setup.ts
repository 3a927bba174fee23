// What a merchant needs for the homologation, made through the admin API as `npm start` seeds its
// demo merchant: the merchant, its PayStore terminals, the Klio account's devices registered as its
// Klio terminals (device sync) and its pagoUno account.

/** The pagoUno account registered as a "terminal" of the merchant, as the demo's. */
export const PAGOUNO_ACCOUNT = 'pagouno-demo';

export type AdminCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** Admin API calls (`Authorization: Bearer <ADMIN_API_KEY>`); anything but 2xx throws. */
export function adminApi(gatewayUrl: string, adminKey: string): AdminCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(gatewayUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

export interface HomologationMerchant {
  merchantId: string;
  apiKey: string;
  terminals: { paystore: string[]; klio: string[]; pagouno: string[] };
}

/**
 * Registers the Klio account's devices (`POST …/klio-devices/sync`) and the pagoUno account as
 * terminals of the merchant, and answers their terminal ids. Devices registered to another
 * merchant are left alone (the sync reports them as conflicts), so they are not in the answer.
 */
export async function registerKlioAndPagouno(admin: AdminCall, merchantId: string): Promise<{ klio: string[]; pagouno: string[] }> {
  const synced = await admin<{ registered: { terminalId: string }[]; updated: { terminalId: string }[] }>(
    'POST',
    `/v1/admin/merchants/${encodeURIComponent(merchantId)}/klio-devices/sync`,
    {},
  );
  const klio = [...synced.registered, ...synced.updated].map((t) => t.terminalId).sort();
  await admin('PUT', `/v1/admin/merchants/${encodeURIComponent(merchantId)}/terminals/${PAGOUNO_ACCOUNT}`, { provider: 'pagouno', label: 'Tienda online' });
  return { klio, pagouno: [PAGOUNO_ACCOUNT] };
}

/** A new merchant with its PayStore terminals, Klio devices and pagoUno account. */
export async function setUpMerchant(admin: AdminCall, options: { name: string; cuit: string; paystoreTerminals: readonly string[] }): Promise<HomologationMerchant> {
  const merchant = await admin<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', { name: options.name, cuit: options.cuit });
  for (const [i, terminalId] of options.paystoreTerminals.entries()) {
    await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/${terminalId}`, { provider: 'paystore', label: `Caja ${i + 1}` });
  }
  const others = await registerKlioAndPagouno(admin, merchant.id);
  return { merchantId: merchant.id, apiKey: merchant.apiKey, terminals: { paystore: [...options.paystoreTerminals], ...others } };
}
