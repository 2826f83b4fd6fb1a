import { ImageFacts } from '../images';

/**
 * Prometheus' MySQL server exporter (static Go binary on busybox, USER nobody). It runs here as
 * MySQL's 999:999, the owner of the socket directory and of the client file it reads.
 * Tag only: no published record of the index digest of v0.17.2 could be found on the lookup of
 * 2026-12-01. Pin it by digest (`name:tag@sha256:...`) through `metrics.mysqldExporterImage`.
 */
export const MYSQLD_EXPORTER: ImageFacts = {
  image: 'quay.io/prometheus/mysqld-exporter:v0.17.2',
  identity: { uid: 999, gid: 999 },
};

/**
 * The Prometheus community's Apache exporter (formerly Lusitaniae/apache_exporter; static Go binary
 * on busybox, USER nobody = 65534). Tag only: no published record of the index digest of v1.0.10
 * could be found on the lookup of 2026-12-01.
 */
export const APACHE_EXPORTER: ImageFacts = {
  image: 'quay.io/prometheuscommunity/apache-exporter:v1.0.10',
  identity: { uid: 65534, gid: 65534 },
};
