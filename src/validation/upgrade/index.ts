// The upgrade gate: what `kubectl apply` of a new output over the previous one would reject or lose.
export { checkUpgrade } from './check-upgrade';
export type { UpgradeOptions } from './check-upgrade';
export { previousFromDirectory, previousFromGit } from './previous-output';
export type { PreviousOutput } from './previous-output';
