// The virtual POS: a self-contained page (no external assets) that shows what a terminal has
// on screen and offers the buttons a cashier would press. Stable data-testid attributes let a
// browser test drive it: intent-<id>, kind-<id>, amount-<id>, status-<id>, take-<id>,
// brand-<id>, entry-<id>, approve-<id>, decline-<id>, walkaway-<id>, cancel-<id>.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f6;color:#111827}
header{background:#1f2937;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center;gap:12px;flex-wrap:wrap}
header a{color:#93c5fd}
main{padding:16px;max-width:760px;margin:0 auto}
.intent{background:#fff;border-radius:10px;padding:14px;margin-bottom:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.kind{text-transform:uppercase;font-size:.75em;letter-spacing:.05em;color:#6b7280}
.amount{font-size:1.7em;font-weight:650;margin:2px 0}
.meta{font-size:.85em;color:#4b5563;word-break:break-all}
.status{font-size:.85em;font-weight:600;margin-top:4px}
.row{display:flex;gap:8px;flex-wrap:wrap;margin-top:10px;align-items:center}
button{padding:9px 14px;border:0;border-radius:6px;cursor:pointer;font-size:1em}
button[disabled]{opacity:.4;cursor:default}
select{padding:7px;border-radius:6px;border:1px solid #d1d5db;font-size:1em}
.take{background:#2563eb;color:#fff}.approve{background:#16a34a;color:#fff}.decline{background:#dc2626;color:#fff}.walkaway{background:#e5e7eb}.cancel{background:#fff;color:#b91c1c;border:1px solid #b91c1c}
#message{min-height:1.3em;color:#b91c1c}
table{border-collapse:collapse;background:#fff}td,th{padding:6px 12px;border-bottom:1px solid #e5e7eb;text-align:left}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

// Runs in the browser. Cards are updated in place (not re-rendered) so the cashier's brand and
// entry-mode choices survive each poll.
const SCRIPT = `
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('pos-config').textContent);
  var base = '/sandbox/terminals/' + config.terminalId;
  var listEl = document.getElementById('intents');
  var emptyEl = document.getElementById('empty');
  var messageEl = document.getElementById('message');
  var stateEl = document.getElementById('terminal-state');
  var cards = {};
  var KIND = { payment: 'Pago', reversal: 'Anulación', refund: 'Devolución', settlement: 'Cierre de lote' };
  var BRANDS = [['VI', 'Visa'], ['MC', 'Mastercard'], ['AM', 'AMEX']];
  var ENTRY = [['CHIP', 'Chip'], ['CHIP_CONTACTLESS', 'Contactless'], ['MAGNETIC_STRIPE', 'Banda magnética'], ['MANUAL', 'Manual']];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function select(testid, options, value) {
    var node = el('select', { 'data-testid': testid });
    options.forEach(function (pair) {
      var option = el('option', { value: pair[0] }, pair[1]);
      if (pair[0] === value) option.selected = true;
      node.appendChild(option);
    });
    return node;
  }
  function show(message) { messageEl.textContent = message || ''; }

  function act(action, id) {
    var card = cards[id];
    var body = { paymentId: id };
    if (card && card.brand && !card.brand.disabled) body.brand = card.brand.value;
    if (card && card.entry && !card.entry.disabled) body.entryMode = card.entry.value;
    return fetch(base + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) {
          var error = json && json.errors && json.errors[0];
          show(error ? error.title : 'error ' + response.status);
        } else {
          show('');
        }
      });
    }).catch(function (error) { show(String(error)); }).then(refresh);
  }

  function build(intent) {
    var id = intent.id;
    var root = el('div', { 'class': 'intent', 'data-testid': 'intent-' + id });
    root.appendChild(el('div', { 'class': 'kind', 'data-testid': 'kind-' + id }, KIND[intent.kind] || intent.kind));
    root.appendChild(el('div', { 'class': 'amount', 'data-testid': 'amount-' + id }, intent.amountText));
    var meta = [intent.method === 'QR_CODE' ? 'QR' : 'Tarjeta', id];
    if (intent.menuText) meta.unshift(intent.menuText);
    root.appendChild(el('div', { 'class': 'meta' }, meta.join(' · ')));
    var status = el('div', { 'class': 'status', 'data-testid': 'status-' + id });
    root.appendChild(status);
    var choices = el('div', { 'class': 'row' });
    var cardless = intent.kind === 'settlement' || intent.method === 'QR_CODE';
    var brand = select('brand-' + id, BRANDS, intent.requestedBrand || 'VI');
    var entry = select('entry-' + id, ENTRY, 'CHIP');
    brand.disabled = cardless;
    entry.disabled = cardless;
    choices.appendChild(brand);
    choices.appendChild(entry);
    root.appendChild(choices);
    var buttons = el('div', { 'class': 'row' });
    var take = el('button', { 'class': 'take', 'data-testid': 'take-' + id, type: 'button' }, 'Tomar');
    var approve = el('button', { 'class': 'approve', 'data-testid': 'approve-' + id, type: 'button' }, 'Aprobar');
    var decline = el('button', { 'class': 'decline', 'data-testid': 'decline-' + id, type: 'button' }, 'Rechazar');
    var walk = el('button', { 'class': 'walkaway', 'data-testid': 'walkaway-' + id, type: 'button' }, 'Se fue el cliente');
    var cancel = el('button', { 'class': 'cancel', 'data-testid': 'cancel-' + id, type: 'button' }, 'Cancelar');
    take.addEventListener('click', function () { act('take', id); });
    approve.addEventListener('click', function () { act('approve', id); });
    decline.addEventListener('click', function () { act('decline', id); });
    walk.addEventListener('click', function () { act('walkaway', id); });
    cancel.addEventListener('click', function () { act('cancel', id); });
    // A batch close cannot be cancelled on the terminal.
    if (intent.kind === 'settlement') cancel.disabled = true;
    [take, approve, decline, walk, cancel].forEach(function (button) {
      if (!config.control) button.disabled = true;
      buttons.appendChild(button);
    });
    root.appendChild(buttons);
    return { root: root, status: status, take: take, brand: brand, entry: entry };
  }

  function render(payload) {
    var terminal = payload.terminal;
    stateEl.textContent = (terminal.offline ? 'sin conexión' : terminal.mode === 'manual' ? 'manual' : 'automático') +
      ' · lote ' + terminal.batchNumber;
    var seen = {};
    payload.data.forEach(function (intent) {
      seen[intent.id] = true;
      var card = cards[intent.id];
      if (!card) {
        card = build(intent);
        cards[intent.id] = card;
      }
      listEl.appendChild(card.root);
      card.status.textContent = intent.status + (intent.takenHere ? ' · en esta terminal' : '');
      card.take.disabled = !config.control || intent.takenHere;
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) {
        cards[id].root.remove();
        delete cards[id];
      }
    });
    emptyEl.hidden = payload.data.length > 0;
  }

  var inFlight = false;
  function refresh() {
    if (inFlight) return Promise.resolve();
    inFlight = true;
    return fetch(base + '/intents', { cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(render)
      .catch(function (error) { show(String(error)); })
      .then(function () { inFlight = false; });
  }
  refresh();
  setInterval(refresh, config.pollMs);
})();
`;

export function renderPosPage(terminalId: string, control: boolean, pollMs = 500): string {
  const config = JSON.stringify({ terminalId, control, pollMs }).replace(/</g, '\\u003c');
  const notice = control ? '' : '<p data-testid="control-off">Los botones están desactivados (SANDBOX_CONTROL=true los activa).</p>';
  return page(
    `POS virtual · terminal ${terminalId}`,
    `<header><div>POS virtual · terminal <strong data-testid="terminal-id">${escapeHtml(terminalId)}</strong></div>
<div data-testid="terminal-state" id="terminal-state"></div><a href="/sandbox/pos">todas las terminales</a></header>
<main>
${notice}
<p id="message" data-testid="message" role="status"></p>
<p id="empty" data-testid="empty" hidden>No hay operaciones pendientes.</p>
<div id="intents" data-testid="intent-list"></div>
</main>
<script type="application/json" id="pos-config">${config}</script>
<script>${SCRIPT}</script>`,
  );
}

export interface PosTerminalRow {
  terminalId: string;
  cuit: string;
  mode: string;
  offline: boolean;
  batchNumber: string;
}

/** `extra` is more HTML for the page (the Klio devices). */
export function renderPosIndex(terminals: readonly PosTerminalRow[], extra = ''): string {
  const rows = terminals
    .map(
      (t) =>
        `<tr><td><a data-testid="pos-link-${escapeHtml(t.terminalId)}" href="/sandbox/pos/${escapeHtml(t.terminalId)}">${escapeHtml(t.terminalId)}</a></td>` +
        `<td>${escapeHtml(t.cuit)}</td><td>${t.offline ? 'sin conexión' : escapeHtml(t.mode)}</td><td>${escapeHtml(t.batchNumber)}</td></tr>`,
    )
    .join('\n');
  return page(
    'POS virtual · terminales',
    `<header><div>POS virtual · terminales</div></header>
<main>
${terminals.length === 0 ? '<p data-testid="empty">No hay terminales. Creá una con POST /sandbox/terminals.</p>' : ''}
<table data-testid="terminal-list"><thead><tr><th>Terminal</th><th>CUIT</th><th>Modo</th><th>Lote</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${extra}
</main>`,
  );
}

export function renderPosNotFound(terminalId: string): string {
  return page('POS virtual · terminal desconocida', `<main><p data-testid="not-found">La terminal ${escapeHtml(terminalId)} no existe.</p><p><a href="/sandbox/pos">todas las terminales</a></p></main>`);
}
