import { createTestDatabase, TestDatabase } from '@app/testing';
import { OperationEntity, OperationsRepository, OutboxEventEntity } from '@app/persistence';
import { newId } from '@app/common';

describe('OperationsRepository on Postgres', () => {
  let db: TestDatabase;
  let repo: OperationsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repo = new OperationsRepository(db.dataSource);
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
  });
  afterAll(async () => db.drop());

  async function newPayment(): Promise<OperationEntity> {
    const op = db.dataSource.getRepository(OperationEntity).create({
      id: newId('pay'),
      type: 'payment',
      status: 'accepted',
      merchantId: 'mer_1',
      provider: 'paystore',
      terminalIds: ['38011128'],
      terminalId: null,
      amount: 150000,
      currency: 'ARS',
      reference: null,
      description: null,
      request: { installments: 1 },
      result: {},
      totals: null,
      providerId: null,
      paymentId: null,
      reversalId: null,
      expiresAt: new Date(Date.now() + 120_000),
      submittedAt: null,
      cancelReason: null,
      finalAt: null,
    });
    return db.dataSource.transaction((m) => repo.insert(m, op));
  }

  async function eventsOf(id: string): Promise<string[]> {
    const rows = await db.dataSource.getRepository(OutboxEventEntity).find({ where: { subject: id }, order: { seq: 'ASC' } });
    return rows.map((r) => r.type);
  }

  it('writes the first event with the new operation', async () => {
    const op = await newPayment();
    expect(await eventsOf(op.id)).toEqual(['payment.accepted']);
    expect((await repo.findById(op.id))?.amount).toBe(150000);
  });

  it('writes one event per status change, in order, and none for a patch alone', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'pending', { providerId: 'p-1' });
    await repo.transition(op.id, 'pending', { terminalId: '38011128' });
    const done = await repo.transition(op.id, 'approved', { result: { authorizationCode: 'A1B2C3' } });
    expect(done.kind).toBe('changed');
    expect(done.operation.finalAt).toBeInstanceOf(Date);
    expect(await eventsOf(op.id)).toEqual(['payment.accepted', 'payment.pending', 'payment.approved']);
  });

  it('refuses a transition the state machine forbids, and writes nothing', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'rejected');
    const again = await repo.transition(op.id, 'approved');
    expect(again.kind).toBe('refused');
    expect(again.operation.status).toBe('rejected');
    expect(await eventsOf(op.id)).toEqual(['payment.accepted', 'payment.rejected']);
  });

  it('refuses when the row is no longer in an expected status', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'cancelling', { cancelReason: 'requested' });
    const res = await repo.transition(op.id, 'pending', {}, ['accepted']);
    expect(res.kind).toBe('refused');
  });

  it('serialises concurrent transitions: exactly one final status wins', async () => {
    const op = await newPayment();
    const results = await Promise.all([
      repo.transition(op.id, 'approved'),
      repo.transition(op.id, 'cancelled'),
      repo.transition(op.id, 'expired'),
    ]);
    expect(results.filter((r) => r.kind === 'changed')).toHaveLength(1);
    expect((await eventsOf(op.id)).filter((t) => t !== 'payment.accepted')).toHaveLength(1);
  });
});
