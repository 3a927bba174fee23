import { deliverySettingsOf, loadWebhooksConfig } from './webhooks.config';

const DAY = 24 * 3600_000;

describe('webhooks configuration', () => {
  it('retries for 3 days and disables only after 3 days without a success, by default', () => {
    const settings = deliverySettingsOf(loadWebhooksConfig({}));
    expect(settings.retry.windowMs).toBe(3 * DAY);
    expect(settings.disableAfterMs).toBe(3 * DAY);
    expect(settings.failureStreak).toBe(10);
  });

  it('refuses a time before disabling shorter than the retry window', () => {
    expect(() => loadWebhooksConfig({ WEBHOOK_DISABLE_AFTER_MS: String(2 * DAY) })).toThrow(
      /WEBHOOK_DISABLE_AFTER_MS: WEBHOOK_DISABLE_AFTER_MS must be at least WEBHOOK_RETRY_WINDOW_MS/,
    );
    expect(() => loadWebhooksConfig({ WEBHOOK_RETRY_WINDOW_MS: String(4 * DAY) })).toThrow(/WEBHOOK_DISABLE_AFTER_MS/);
    const longer = loadWebhooksConfig({ WEBHOOK_RETRY_WINDOW_MS: String(4 * DAY), WEBHOOK_DISABLE_AFTER_MS: String(7 * DAY) });
    expect(deliverySettingsOf(longer)).toMatchObject({ retry: { windowMs: 4 * DAY }, disableAfterMs: 7 * DAY });
  });
});
