import { settlementDataSchema } from './paystore.types';
import { mapSettlement } from './paystore.adapter';

function settlement(status: string, extra: Record<string, unknown> = {}) {
  return settlementDataSchema.parse({ settlement_id: 's-1', settlement_status: status, terminal_id: '38011128', ...extra });
}

describe('mapSettlement', () => {
  it.each([
    ['SETTLEMENT_REQUEST', 'pending'],
    ['PROCESSING_SETTLEMENT', 'in_progress'],
    ['CONFIRMED', 'approved'],
    ['DECLINED', 'rejected'],
    ['ERROR', 'failed'],
  ])('maps %s to %s', (status, expected) => {
    expect(mapSettlement(settlement(status)).status).toBe(expected);
  });

  it('records the closed batch and the closing receipt on CONFIRMED', () => {
    const mapped = mapSettlement(settlement('CONFIRMED', { batch_number: '4', merchant_receipt_detail: 'CIERRE DE LOTE 4' }));
    expect(mapped).toMatchObject({ providerId: 's-1', terminalId: '38011128', cls: 'approved' });
    expect(mapped.result).toMatchObject({ providerStatus: 'CONFIRMED', batchNumber: '4', receipt: 'CIERRE DE LOTE 4', card: null });
  });

  it('fails a declined close with SETTLEMENT.DECLINED and keeps no receipt', () => {
    const mapped = mapSettlement(settlement('DECLINED', { acquirer_additional_message: 'DENEGADA', merchant_receipt_detail: 'x' }));
    expect(mapped.result.failure).toEqual({ code: 'SETTLEMENT.DECLINED', message: 'DENEGADA' });
    expect(mapped.result.receipt).toBeUndefined();
  });

  it('reports an unknown status and leaves ours alone', () => {
    const report = jest.fn();
    expect(mapSettlement(settlement('NEW_THING'), report).status).toBeNull();
    expect(report).toHaveBeenCalledWith('settlement_status', 'NEW_THING');
  });
});
