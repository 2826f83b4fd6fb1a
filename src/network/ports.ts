import { checkInteger } from '../common/checks';
import { InvalidPropError } from '../common/errors';

/**
 * A non-empty list of distinct TCP ports. Empty is refused rather than passed on: a NetworkPolicy
 * rule with no ports allows every port.
 */
export function checkPorts(prop: string, ports: readonly number[]): number[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new InvalidPropError(prop, ports, 'a non-empty list of TCP ports (a NetworkPolicy rule without ports allows all of them)');
  }
  ports.forEach((port, index) => checkInteger(`${prop}[${index}]`, port, 1, 65535));
  const duplicate = ports.find((port, index) => ports.indexOf(port) !== index);
  if (duplicate !== undefined) throw new InvalidPropError(prop, ports, `distinct ports (${duplicate} is listed twice)`);
  return [...ports];
}
