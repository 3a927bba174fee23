import { Test } from '@nestjs/testing';
import { createFakeFetch, paymentAnswer, tokenAnswer } from './fake-fetch.spec-util';
import { PaystoreClient } from './paystore.client';
import { PaystoreClientModule } from './paystore.module';
import { PaystoreErrorCode } from './paystore.errors';

const options = { baseUrl: 'http://paystore.test', clientId: 'id', clientSecret: 'secret', subnetAcquirerId: '1' };

describe('PaystoreClientModule', () => {
  it('provides a working client from static options', async () => {
    const fake = createFakeFetch((req) => (req.path.endsWith('/accesstoken') ? tokenAnswer('t') : paymentAnswer('p-1', 'CONFIRMED')));
    const moduleRef = await Test.createTestingModule({
      imports: [PaystoreClientModule.forRoot({ ...options, fetch: fake.fetch })],
    }).compile();
    const client = moduleRef.get(PaystoreClient);
    expect((await client.getPayment('30-12345678-9', 'p-1')).payment_data.payment_status).toBe('CONFIRMED');
    await moduleRef.close();
  });

  it('builds the client from an async factory with injected dependencies', async () => {
    const CONFIG = Symbol('config');
    const moduleRef = await Test.createTestingModule({
      imports: [
        PaystoreClientModule.forRootAsync({
          imports: [
            {
              module: class ConfigModule {},
              providers: [{ provide: CONFIG, useValue: { url: 'http://configured.test' } }],
              exports: [CONFIG],
            },
          ],
          inject: [CONFIG],
          useFactory: async (config: { url: string }) => ({ ...options, baseUrl: config.url }),
        }),
      ],
    }).compile();
    expect(moduleRef.get(PaystoreClient)).toBeInstanceOf(PaystoreClient);
    await moduleRef.close();
  });

  it('stops the client when the application shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PaystoreClientModule.forRoot(options)] }).compile();
    await moduleRef.init();
    const client = moduleRef.get(PaystoreClient);
    await moduleRef.close();
    await expect(client.getPayment('30-12345678-9', 'p-1')).rejects.toMatchObject({ code: PaystoreErrorCode.CircuitOpen });
  });
});
