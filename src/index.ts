// The public API: charts, constructs and their props.
export * from '../charts/wordpress-chart';
export * from './mysql/mysql';
export { MySqlOptionValue, renderMySqlConfig } from './mysql/mysql-config';
export * from './wordpress/wordpress';
export * from './credentials/credentials';
export { CredentialsGenerator, CredentialsGeneratorProps, GeneratedCredentialsOptions } from './credentials/credentials-generator';
export * from './credentials/secret-keys';
export * from './exposure/wordpress-ingress';
export * from './exposure/load-balancer-service';
export * from './network/namespace-isolation';
export { StandardLabels, StandardLabelsProps } from './common/labels';
export { ComputeAmounts, ComputeResources } from './common/resources';
export { InvalidPropError } from './common/errors';
export { UnixIdentity } from './common/security-context';
export * from './common/annotations';
export * from './images';
