// Stable merchant and terminal identities derived from the CUIT and the terminal id, so the
// same store always shows the same establishment number and name.
import { digitsFrom, seedOf } from './completion-data';

export interface MerchantIdentity {
  merchantId: string;
  merchantName: string;
}

export interface TerminalHardware {
  terminalSerial: string;
  terminalModel: string;
  mobitefAppVersion: string;
}

export function merchantOf(cuit: string): MerchantIdentity {
  return { merchantId: `0${digitsFrom(seedOf(`merchant:${cuit}`), 0, 7)}`, merchantName: `COMERCIO SANDBOX ${cuit}` };
}

export function hardwareOf(terminalId: string): TerminalHardware {
  return { terminalSerial: `SBX${terminalId}`, terminalModel: 'A910', mobitefAppVersion: '3.14.2' };
}
