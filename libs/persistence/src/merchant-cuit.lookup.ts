// A merchant's CUIT never changes once created, so a worker reads it once per process.
import { DataSource } from 'typeorm';

export function merchantCuitLookup(dataSource: DataSource): (merchantId: string) => Promise<string> {
  const cache = new Map<string, string>();
  return async (merchantId) => {
    const cached = cache.get(merchantId);
    if (cached) return cached;
    const rows = (await dataSource.query('SELECT cuit FROM merchants WHERE id = $1', [merchantId])) as { cuit: string }[];
    if (rows.length === 0) throw new Error(`merchant ${merchantId} does not exist`);
    cache.set(merchantId, rows[0].cuit);
    return rows[0].cuit;
  };
}
