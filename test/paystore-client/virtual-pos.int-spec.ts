// Browser contract: a person at the sandbox's virtual POS page (real Chromium, driven through the
// page's data-testid buttons) takes and completes intents the client created, and the client
// reads the outcome back over HTTP. CI installs Debian's chromium; without it this test fails.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PaystoreClient } from '@app/paystore-client';
import { CUIT, eventually, Harness, reference, startHarness } from './sandbox.harness';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TERMINAL = '38016001';

let h: Harness;
let client: PaystoreClient;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the virtual POS browser test needs Debian's chromium (apt-get install chromium)`);
  }
  h = await startHarness();
  await h.control.registerTerminal(TERMINAL, { mode: 'manual' });
  client = h.client();
  userDataDir = mkdtempSync(join(tmpdir(), 'paystore-pos-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await h?.close();
});

async function openPos(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${h.sandbox.url}/sandbox/pos/${TERMINAL}`);
  await page.getByTestId('terminal-id').waitFor();
  return page;
}

function paymentStatus(id: string): Promise<string> {
  return client.getPayment(CUIT, id).then((p) => p.payment_data.payment_status);
}

describe('the virtual POS page', () => {
  it('shows an intent the client created; a cashier takes it, picks the card and approves: the client sees CONFIRMED', async () => {
    const created = await client.createPayment(CUIT, {
      payment_amount: '123400',
      ecr_transaction_id: reference('pos'),
      terminals_list: [{ terminal_id: TERMINAL }],
      terminal_menu_text: 'Mesa 7',
    });
    const id = created.payment_data.payment_id;
    const page = await openPos();
    try {
      await page.getByTestId(`intent-${id}`).waitFor();
      expect(await page.getByTestId(`status-${id}`).textContent()).toContain('PAYMENT_REQUEST');

      await page.getByTestId(`take-${id}`).click();
      await eventually(() => paymentStatus(id), (s) => s === 'PROCESSING_PAYMENT');

      await page.getByTestId(`brand-${id}`).selectOption('MC');
      await page.getByTestId(`entry-${id}`).selectOption('CHIP_CONTACTLESS');
      await page.getByTestId(`approve-${id}`).click();

      const done = await eventually(() => client.getPayment(CUIT, id), (p) => p.payment_data.payment_status !== 'PROCESSING_PAYMENT');
      expect(done.payment_data).toMatchObject({
        payment_status: 'CONFIRMED',
        terminal_id: TERMINAL,
        authorized_payment_amount: '123400',
        card_brand_product: 'MC',
        card_type: 'CHIP_CONTACTLESS',
      });
      // A finished intent leaves the terminal's screen.
      await page.getByTestId(`intent-${id}`).waitFor({ state: 'detached' });
    } finally {
      await page.close();
    }
  });

  it('a cashier who declines on the page makes the payment DECLINED', async () => {
    const created = await client.createPayment(CUIT, {
      payment_amount: '4200',
      ecr_transaction_id: reference('pos'),
      terminals_list: [{ terminal_id: TERMINAL }],
    });
    const id = created.payment_data.payment_id;
    const page = await openPos();
    try {
      await page.getByTestId(`take-${id}`).click();
      await eventually(() => paymentStatus(id), (s) => s === 'PROCESSING_PAYMENT');
      await page.getByTestId(`decline-${id}`).click();
      expect(await eventually(() => paymentStatus(id), (s) => s !== 'PROCESSING_PAYMENT')).toBe('DECLINED');
    } finally {
      await page.close();
    }
  });

  it('an intent the client cancels disappears from the page', async () => {
    const created = await client.createPayment(CUIT, {
      payment_amount: '4300',
      ecr_transaction_id: reference('pos'),
      terminals_list: [{ terminal_id: TERMINAL }],
    });
    const id = created.payment_data.payment_id;
    const page = await openPos();
    try {
      await page.getByTestId(`intent-${id}`).waitFor();
      await client.cancelPayment(CUIT, id);
      await page.getByTestId(`intent-${id}`).waitFor({ state: 'detached' });
      expect(await eventually(() => paymentStatus(id), (s) => s === 'UNDONE')).toBe('UNDONE');
    } finally {
      await page.close();
    }
  });
});
