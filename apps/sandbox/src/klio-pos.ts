// The Klio part of the virtual POS index: each Klio device with its mode and its tasks (newest
// first), and approve/decline/cancel buttons for tasks waiting on a DEFAULT-mode device. Stable
// data-testid attributes: klio-device-<deviceId>, klio-task-<taskId>, klio-status-<taskId>,
// klio-approve-<taskId>, klio-decline-<taskId>, klio-cancel-<taskId>.
import type { KlioDevice, KlioTask } from './klio-sandbox.service';
import { escapeHtml } from './pos-page';

function amountText(cents: number): string {
  return `$ ${(cents / 100).toFixed(2)}`;
}

function taskRow(task: KlioTask, manual: boolean, control: boolean): string {
  const id = task.taskId;
  const waiting = task.status === 'Created' || task.status === 'InProgress';
  const buttons =
    manual && waiting && control
      ? `<button class="approve" data-testid="klio-approve-${id}" onclick="klioAct(${id},'approve')">Aprobar</button> ` +
        `<button class="decline" data-testid="klio-decline-${id}" onclick="klioAct(${id},'decline')">Rechazar</button> ` +
        `<button class="walkaway" data-testid="klio-cancel-${id}" onclick="klioAct(${id},'cancel')">Cancelar</button>`
      : '';
  const voucher = task.voucherStatus ? ` · ${escapeHtml(task.voucherStatus)}` : '';
  return (
    `<tr data-testid="klio-task-${id}"><td>${id}</td><td>${escapeHtml(task.originID)}</td>` +
    `<td>${task.operationType === 'ANNULMENT' ? 'Anulación' : 'Cobro'} ${task.method === 'qr' ? 'QR' : 'tarjeta'}</td>` +
    `<td>${amountText(task.amountCents)}</td><td data-testid="klio-status-${id}">${escapeHtml(task.status)}${voucher}</td><td>${buttons}</td></tr>`
  );
}

export function renderKlioDevices(devices: readonly KlioDevice[], tasksOf: (deviceId: string) => KlioTask[], control: boolean): string {
  if (devices.length === 0) return '';
  const sections = devices.map((device) => {
    const manual = device.deviceMode === 'DEFAULT';
    const tasks = [...tasksOf(device.deviceId)].sort((a, b) => b.taskId - a.taskId).slice(0, 50);
    const rows = tasks.map((t) => taskRow(t, manual, control)).join('\n');
    return (
      `<div class="intent" data-testid="klio-device-${escapeHtml(device.deviceId)}">` +
      `<div class="kind">Klio SmartPos · ${escapeHtml(device.deviceMode)}${device.offline ? ' · sin conexión' : ''}</div>` +
      `<div class="amount">${escapeHtml(device.deviceName)}</div>` +
      `<div class="meta">${escapeHtml(device.deviceId)} · terminal ${escapeHtml(device.terminalId)} · CUIT ${escapeHtml(device.cuit)}</div>` +
      (tasks.length === 0
        ? '<p class="meta">Sin tareas.</p>'
        : `<table><thead><tr><th>Tarea</th><th>originID</th><th>Tipo</th><th>Importe</th><th>Estado</th><th></th></tr></thead><tbody>${rows}</tbody></table>`) +
      '</div>'
    );
  });
  const script = control
    ? `<script>function klioAct(id, action){fetch('/sandbox/klio/tasks/'+id+'/'+action,{method:'POST'}).then(function(){location.reload();});}</script>`
    : '';
  return `<h2>Klio SmartPos</h2>\n${sections.join('\n')}\n${script}`;
}
