// Webhooks: signing and verifying deliveries (also for receivers), subscription secrets at rest,
// the delivery queue, and the subscription and delivery views shared by the gateway and the worker.
export * from './webhook.signature';
export * from './webhook-secret.cipher';
export * from './webhook-delivery.job';
export * from './webhook.views';
