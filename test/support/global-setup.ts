import { resolve } from 'path';
import { compileIfStale } from './compile';

/** Jest global setup: compiled code under test is the code in the working tree. */
export default function globalSetup(): void {
  compileIfStale(resolve(__dirname, '../..'));
}
