// Drives the virtual POS page in a real browser (Chromium via playwright-core), as a cashier
// would. CI installs Chromium (.ci/run); CHROMIUM_PATH points elsewhere if needed.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { withSandbox, type SandboxHttp } from './sandbox-http';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;
const TERMINAL = '38100001';

describeWithBrowser('virtual POS page in a browser', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ terminals: [{ terminalId: TERMINAL, cuit: '30-71234567-8', mode: 'manual' }] }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.goto(`${sandbox.url}/sandbox/pos/${TERMINAL}`);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  it('shows a new intent, then takes and approves it with the chosen brand and entry mode', async () => {
    const created = await http.createPayment('123456', [TERMINAL]);
    const id = created.body.payment_data.payment_id;
    const card = page.getByTestId(`intent-${id}`);
    await card.waitFor({ timeout: 5_000 });
    expect(await page.getByTestId(`amount-${id}`).textContent()).toBe('$ 1.234,56');
    expect(await page.getByTestId(`kind-${id}`).textContent()).toBe('Pago');

    await page.getByTestId(`take-${id}`).click();
    await page.getByTestId(`status-${id}`).filter({ hasText: 'PROCESSING_PAYMENT' }).waitFor({ timeout: 5_000 });
    expect((await http.getPayment(id)).payment_data).toMatchObject({ payment_status: 'PROCESSING_PAYMENT', terminal_id: TERMINAL });

    await page.getByTestId(`brand-${id}`).selectOption('AM');
    await page.getByTestId(`entry-${id}`).selectOption('CHIP_CONTACTLESS');
    await page.getByTestId(`approve-${id}`).click();
    await card.waitFor({ state: 'detached', timeout: 5_000 });
    expect((await http.getPayment(id)).payment_data).toMatchObject({
      payment_status: 'CONFIRMED',
      card_brand_product: 'AM',
      card_type: 'CHIP_CONTACTLESS',
      terminal_id: TERMINAL,
    });
  }, 30_000);

  it('declines from the page', async () => {
    const created = await http.createPayment('2000', [TERMINAL]);
    const id = created.body.payment_data.payment_id;
    await page.getByTestId(`decline-${id}`).click({ timeout: 5_000 });
    await page.getByTestId(`intent-${id}`).waitFor({ state: 'detached', timeout: 5_000 });
    expect((await http.getPayment(id)).payment_data.payment_status).toBe('DECLINED');
  }, 30_000);

  it('walks away: the intent leaves this terminal and stays open for the caller to cancel', async () => {
    const created = await http.createPayment('3000', [TERMINAL]);
    const id = created.body.payment_data.payment_id;
    await page.getByTestId(`take-${id}`).click({ timeout: 5_000 });
    await page.getByTestId(`walkaway-${id}`).click();
    await page.getByTestId(`intent-${id}`).waitFor({ state: 'detached', timeout: 5_000 });
    expect((await http.getPayment(id)).payment_data).toMatchObject({ payment_status: 'PAYMENT_REQUEST', terminal_id: null });
  }, 30_000);

  it('cancels on the terminal: the intent leaves the page and ends UNDONE with no cancellation from the caller', async () => {
    const created = await http.createPayment('3100', [TERMINAL]);
    const id = created.body.payment_data.payment_id;
    await page.getByTestId(`take-${id}`).click({ timeout: 5_000 });
    await page.getByTestId(`status-${id}`).filter({ hasText: 'PROCESSING_PAYMENT' }).waitFor({ timeout: 5_000 });
    expect(await page.getByTestId(`cancel-${id}`).textContent()).toBe('Cancelar');
    await page.getByTestId(`cancel-${id}`).click();
    await page.getByTestId(`intent-${id}`).waitFor({ state: 'detached', timeout: 5_000 });
    expect((await http.getPayment(id)).payment_data).toMatchObject({ payment_status: 'UNDONE', terminal_id: TERMINAL });
    const log = await http.control<{ data: unknown[] }>('GET', `/sandbox/requests?path=${id}/cancellations`);
    expect(log.body.data).toEqual([]);
  }, 30_000);

  it('shows the provider error when an action is refused', async () => {
    const created = await http.createPayment('4000', [TERMINAL]);
    const id = created.body.payment_data.payment_id;
    await page.getByTestId(`intent-${id}`).waitFor({ timeout: 5_000 });
    // Cancelled behind the page's back: the next click is refused with a 409. The page's list
    // refresh is held while the click happens, so the intent is still on screen to be clicked
    // however slow the machine is.
    const listRoute = '**/sandbox/terminals/*/intents';
    const frozen = await (await fetch(`${sandbox.url}/sandbox/terminals/${TERMINAL}/intents`)).text();
    await page.route(listRoute, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: frozen }));
    try {
      await http.api('PUT', `/v1/paystore_terminals/terminal_payments/payments/${id}/cancellations`);
      await page.getByTestId(`approve-${id}`).click({ timeout: 5_000 });
      await page.getByTestId('message').filter({ hasText: 'no longer' }).waitFor({ timeout: 5_000 });
    } finally {
      await page.unroute(listRoute);
    }
  }, 30_000);
});
