import { FindingSink } from '../findings';
import { OutputDiff } from './objects';

/** What each upgrade check works from. */
export interface UpgradeContext {
  readonly diff: OutputDiff;
  readonly sink: FindingSink;
  /** What the printed migrations apply (`kubectl apply -f OUT`). */
  readonly out: string;
}
