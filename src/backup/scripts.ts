/**
 * The shell scripts of the backup and restore Jobs. They ship in the package as strings and reach
 * the pods in a ConfigMap, so synthesis never reads a file outside the project.
 *
 * Two images run them, each with only what it has:
 * - the pinned MySQL image (bash, mysqldump, mysql, mysqld, gzip, sha256sum; no tar) dumps,
 *   verifies in a scratch mysqld and loads;
 * - the pinned curl image (busybox sh, tar, sha256sum, awk; curl with `--aws-sigv4`) archives,
 *   uploads, downloads, prunes and extracts.
 *
 * Every script logs its outcome as one JSON line and exits non-zero on any failure: a Job that
 * fails is visible in `kubectl get jobs`, its events and any alert on failed Jobs.
 *
 * Secrets never reach argv or the environment: values go from mounted files through the shell's
 * `printf` builtin into option files on a memory-backed emptyDir (`--defaults-file`, `curl -K`).
 */

/** Names of the files of one backup; `manifest.json` is written last and marks it complete. */
export const BACKUP_FILES = {
  database: 'database.sql.gz',
  content: 'wp-content.tar.gz',
  manifest: 'manifest.json',
} as const;

/** Shared by every script: the site's settings, the JSON outcome line and the failure exit. */
const LOG_FUNCTIONS = [
  // The site's settings come from the ConfigMap rather than each container's env: one copy, less to synthesize.
  `if [ -f "\${SCRIPTS_DIR:-/scripts}/site.env" ]; then . "\${SCRIPTS_DIR:-/scripts}/site.env"; fi`,
  // Messages are ours (no quotes inside), so a printf is a valid JSON encoder for them.
  'log_json() { printf \'{"event":"%s","site":"%s","ok":%s,"stage":"%s","backup":"%s","message":"%s"}\\n\' "$EVENT" "$SITE" "$1" "$STAGE" "${name:-}" "$2"; }',
  'fail() { echo "$STAGE failed: $1" >&2; log_json false "$1"; exit 1; }',
].join('\n');

/** The parser of the manifest's `files`, for awk (busybox, mawk and gawk alike). */
const MANIFEST_FILE_AWK = 'index($0, "\\"" f "\\": {") { for (i = 1; i <= NF; i++) if ($i == "\\"" key "\\":") { v = $(i + 1); gsub(/[",}]/, "", v); print v } }';

/**
 * Dumps the database (MySQL image, bash). Row counts come from the dump itself: one INSERT per row
 * (`--skip-extended-insert`, escaped newlines keep each on one line), so they match exactly what
 * the dump holds, inside its single transaction, even while WordPress writes.
 */
export const DUMP_SCRIPT = `set -euo pipefail
${LOG_FUNCTIONS}
EVENT=backup; STAGE=dump
work="\${WORK_DIR:-/work}"; run="\${RUN_DIR:-/run/backup}"; secrets="\${DB_SECRET_DIR:-/etc/backup/db}"
umask 077
# Overridable only so that tests do not depend on the clock.
name="\${BACKUP_NAME:-$(date -u +%Y%m%dT%H%M%SZ)}"
printf '%s\\n' "$name" > "$work/name"
db="$(cat "$secrets/database")"
printf '[client]\\nuser="%s"\\npassword="%s"\\nhost="%s"\\nport=%s\\nprotocol=TCP\\n' \\
  "$(cat "$secrets/username")" "$(cat "$secrets/password")" "$DB_HOST" "$DB_PORT" > "$run/client.cnf"
client() { mysql --defaults-file="$run/client.cnf" -N -B "$@"; }
client -e 'SELECT VERSION()' > "$work/mysql-version" || fail "cannot connect to $DB_HOST:$DB_PORT"
client -e "SELECT option_value FROM \\\`\${TABLE_PREFIX}options\\\` WHERE option_name = 'db_version'" "$db" > "$work/wordpress-db-version" 2>/dev/null || : > "$work/wordpress-db-version"
mysqldump --defaults-file="$run/client.cnf" --single-transaction --routines --triggers --events --hex-blob \\
  --no-tablespaces --set-gtid-purged=OFF --skip-extended-insert --no-autocommit --default-character-set=utf8mb4 "$db" \\
  | gzip -6 > "$work/${BACKUP_FILES.database}" || fail "mysqldump or gzip failed"
sha256sum "$work/${BACKUP_FILES.database}" | cut -d' ' -f1 > "$work/database.sha256" || fail "checksumming the dump failed"
gzip -dc "$work/${BACKUP_FILES.database}" | awk '
  /^CREATE TABLE \`/ { t = $3; gsub(/\`/, "", t); if (!(t in n)) { n[t] = 0; order[++k] = t } }
  /^INSERT INTO \`/ { t = $3; gsub(/\`/, "", t); n[t]++ }
  /^-- Dump completed/ { done = 1 }
  END { for (i = 1; i <= k; i++) print order[i] "\\t" n[order[i]]; if (!done) exit 3 }' > "$work/rows.tsv" \\
  || fail "the dump is incomplete (no Dump completed trailer)"
log_json true "dumped $(wc -l < "$work/rows.tsv") tables"
`;

/**
 * Archives wp-content and writes the manifest (curl image, busybox sh). With an external database
 * (`DATABASE=external`: RDS or Aurora, backed up by their snapshots) there is no dump: the backup
 * is wp-content alone, named here, and its manifest says `"database": "external"`.
 */
export const ARCHIVE_SCRIPT = `set -eu
${LOG_FUNCTIONS}
EVENT=backup; STAGE=archive
work="\${WORK_DIR:-/work}"; content="\${CONTENT_DIR:-/content}"
umask 077
if [ "\${DATABASE:-}" = external ]; then
  # Overridable only so that tests do not depend on the clock.
  name="\${BACKUP_NAME:-$(date -u +%Y%m%dT%H%M%SZ)}"
  printf '%s\\n' "$name" > "$work/name"
else
  name="$(cat "$work/name")"
  [ "$(sha256sum "$work/${BACKUP_FILES.database}" | cut -d' ' -f1)" = "$(cat "$work/database.sha256")" ] \\
    || fail "SHA-256 of ${BACKUP_FILES.database} differs from the one recorded at dump time"
fi
[ -d "$content/wp-content" ] || fail "no wp-content directory in the content claim"
tar -C "$content" -czf "$work/${BACKUP_FILES.content}" wp-content || fail "tar of wp-content failed"
tar -tzf "$work/${BACKUP_FILES.content}" > "$work/listing" || fail "the new archive cannot be listed"
entries="$(wc -l < "$work/listing" | tr -d ' ')"
file_json() { printf '    "%s": { "bytes": %s, "sha256": "%s"%s }' "$1" "$(wc -c < "$work/$1" | tr -d ' ')" "$(sha256sum "$work/$1" | cut -d' ' -f1)" "$2"; }
{
  printf '{\\n  "format": 1,\\n  "name": "%s",\\n  "site": "%s",\\n  "namespace": "%s",\\n' "$name" "$SITE" "$NAMESPACE"
  printf '  "createdAt": "%s",\\n' "$(echo "$name" | sed 's/^\\(....\\)\\(..\\)\\(..\\)T\\(..\\)\\(..\\)\\(..\\)Z$/\\1-\\2-\\3T\\4:\\5:\\6Z/')"
  if [ "\${DATABASE:-}" = external ]; then
    printf '  "database": "external",\\n  "wordpressImage": "%s",\\n' "$WORDPRESS_IMAGE"
    printf '  "files": {\\n'
    file_json ${BACKUP_FILES.content} ", \\"entries\\": $entries"; printf '\\n  }\\n}\\n'
  else
    printf '  "mysqlVersion": "%s",\\n  "wordpressImage": "%s",\\n  "wordpressDbVersion": "%s",\\n' \\
      "$(cat "$work/mysql-version")" "$WORDPRESS_IMAGE" "$(cat "$work/wordpress-db-version")"
    printf '  "files": {\\n'
    file_json ${BACKUP_FILES.database} ''; printf ',\\n'
    file_json ${BACKUP_FILES.content} ", \\"entries\\": $entries"; printf '\\n  },\\n'
    printf '  "tables": {\\n'
    awk -F '\\t' '{ printf "%s    \\"%s\\": %s", (NR > 1 ? ",\\n" : ""), $1, $2 } END { if (NR) printf "\\n" }' "$work/rows.tsv"
    printf '  }\\n}\\n'
  fi
} > "$work/${BACKUP_FILES.manifest}.new" || fail "writing the manifest failed"
mv "$work/${BACKUP_FILES.manifest}.new" "$work/${BACKUP_FILES.manifest}"
log_json true "archived $entries entries of wp-content"
`;

/**
 * Restores the dump into a scratch mysqld in the pod (MySQL image, bash): emptyDir data directory,
 * socket only, no Service. Then CHECK TABLE on every table and row counts against the manifest.
 */
export const VERIFY_SCRIPT = `set -euo pipefail
${LOG_FUNCTIONS}
EVENT=backup; STAGE=verify
work="\${WORK_DIR:-/work}"; scratch="\${SCRATCH_DIR:-$work/scratch}"
name="$(cat "$work/name")"
[ "$(sha256sum "$work/${BACKUP_FILES.database}" | cut -d' ' -f1)" = "$(cat "$work/database.sha256")" ] \\
  || fail "SHA-256 of ${BACKUP_FILES.database} differs from the one recorded at dump time"
mkdir -p "$scratch/data" "$scratch/tmp"
opts=(--no-defaults --datadir="$scratch/data" --tmpdir="$scratch/tmp" --socket="$scratch/mysqld.sock" --pid-file="$scratch/mysqld.pid"
  --log-error="$scratch/error.log" --skip-networking --mysqlx=OFF --skip-log-bin --secure-file-priv="$scratch/tmp"
  --performance-schema=OFF --innodb-buffer-pool-size="\${SCRATCH_BUFFER_POOL:-128M}")
mysqld "\${opts[@]}" --initialize-insecure || { cat "$scratch/error.log" >&2 || true; fail "initialising the scratch mysqld failed"; }
mysqld "\${opts[@]}" & pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
scratch_sql() { mysql --no-defaults --user=root --socket="$scratch/mysqld.sock" -N -B "$@"; }
for i in $(seq 1 "\${SCRATCH_START_SECONDS:-120}"); do
  scratch_sql -e 'SELECT 1' >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$scratch/error.log" >&2 || true; fail "the scratch mysqld exited"; }
  [ "$i" -lt "\${SCRATCH_START_SECONDS:-120}" ] || fail "the scratch mysqld did not start"
  sleep 1
done
scratch_sql -e 'CREATE DATABASE restored' || fail "creating the scratch database failed"
gzip -dc "$work/${BACKUP_FILES.database}" | scratch_sql restored || fail "the dump does not load"
cp "$work/rows.tsv" "$scratch/expected.tsv"
tables=0
if [ -s "$scratch/expected.tsv" ]; then
  list="$(awk -F '\\t' '{ printf "%s\`restored\`.\`%s\`", (NR > 1 ? ", " : ""), $1 }' "$scratch/expected.tsv")"
  scratch_sql -e "CHECK TABLE $list" > "$scratch/check.tsv" || fail "CHECK TABLE failed"
  bad="$(awk -F '\\t' '$3 == "error" || ($3 == "status" && $4 != "OK") { print $1 }' "$scratch/check.tsv" | head -n 1)"
  [ -z "$bad" ] || fail "CHECK TABLE reports $bad"
  while IFS="$(printf '\\t')" read -r table expected; do
    actual="$(scratch_sql -e "SELECT COUNT(*) FROM \\\`restored\\\`.\\\`$table\\\`")" || fail "counting rows of $table failed"
    [ "$actual" = "$expected" ] || fail "table $table has $actual rows restored, the manifest says $expected"
    tables=$((tables + 1))
  done < "$scratch/expected.tsv"
fi
log_json true "restored into a scratch mysqld: $tables tables pass CHECK TABLE and match the manifest row counts"
`;

/**
 * The destination and its operations (busybox sh), shared by the store, restore and fetch steps.
 * S3 requests are signed by curl's own `--aws-sigv4`; credentials come from a Secret's files, IRSA
 * (STS AssumeRoleWithWebIdentity) or EKS Pod Identity (the agent), whichever the pod has.
 */
const DESTINATION_FUNCTIONS = `work="\${WORK_DIR:-/work}"; run="\${RUN_DIR:-/run/backup}"
connect_timeout="\${S3_CONNECT_TIMEOUT:-10}"; max_time="\${S3_MAX_TIME:-3600}"
site_dir() { printf '%s/%s' "\${BACKUP_DIR:-/backups}" "$SOURCE_SITE"; }
xml_values() { tr '<' '\\n' | sed -n "s/^$1>//p"; }
json_value() { sed -n "s/.*\\"$1\\" *: *\\"\\\\([^\\"]*\\\\)\\".*/\\\\1/p"; }
s3_credentials() {
  mask="$(umask)"; umask 077
  if [ -n "\${S3_KEYS_DIR:-}" ]; then
    key_id="$(cat "$S3_KEYS_DIR/access-key-id")"; secret="$(cat "$S3_KEYS_DIR/secret-access-key")"; token=""
  elif [ -n "\${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ]; then
    printf 'Authorization: %s\\n' "$(cat "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")" > "$run/agent-headers"
    curl -sSf --connect-timeout "$connect_timeout" --max-time 60 -H @"$run/agent-headers" -o "$run/credentials" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" \\
      || fail "the EKS Pod Identity agent gave no credentials"
    key_id="$(json_value AccessKeyId < "$run/credentials")"; secret="$(json_value SecretAccessKey < "$run/credentials")"; token="$(json_value Token < "$run/credentials")"
  elif [ -n "\${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ]; then
    curl -sSf --connect-timeout "$connect_timeout" --max-time 60 -o "$run/credentials" \\
      --data-urlencode Action=AssumeRoleWithWebIdentity --data-urlencode Version=2011-06-15 --data-urlencode "RoleArn=$AWS_ROLE_ARN" \\
      --data-urlencode "RoleSessionName=backup-$SITE" --data-urlencode "WebIdentityToken@$AWS_WEB_IDENTITY_TOKEN_FILE" \\
      "\${STS_ENDPOINT:-https://sts.$S3_REGION.amazonaws.com/}" || fail "STS AssumeRoleWithWebIdentity failed (IRSA)"
    key_id="$(xml_values AccessKeyId < "$run/credentials")"; secret="$(xml_values SecretAccessKey < "$run/credentials")"; token="$(xml_values SessionToken < "$run/credentials")"
  else
    fail "no S3 credentials: neither a keys Secret, nor IRSA, nor EKS Pod Identity"
  fi
  [ -n "$key_id" ] && [ -n "$secret" ] || fail "the S3 credentials are empty"
  printf 'aws-sigv4 = "aws:amz:%s:s3"\\nuser = "%s:%s"\\n' "$S3_REGION" "$key_id" "$secret" > "$run/s3.curl"
  [ -z "$token" ] || printf 'header = "x-amz-security-token: %s"\\n' "$token" >> "$run/s3.curl"
  rm -f "$run/credentials"; umask "$mask"
}
# $1 method, $2 key (or query after /), then curl arguments; $code is the HTTP status, the body is in $work/s3.out.
s3() {
  method="$1"; key="$2"; shift 2; status=0
  code="$(curl -sS -K "$run/s3.curl" --connect-timeout "$connect_timeout" --max-time "$max_time" -o "$work/s3.out" -w '%{http_code}' -X "$method" "$@" "$S3_BASE/$key")" || status=$?
  [ "$status" = 0 ] || fail "$method $key: could not reach the S3 endpoint (curl exit code $status)"
}
s3_ok() { case "$code" in 2??) return 0 ;; *) echo "S3 answered HTTP $code" >&2; cat "$work/s3.out" >&2 2>/dev/null || true; return 1 ;; esac; }
# Hex to base64, for the x-amz-checksum-sha256 header S3 checks the upload against.
hex_base64() { awk 'BEGIN { h = "0123456789abcdef"; b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" }
  { n = 0; for (i = 1; i < length($0); i += 2) bytes[n++] = (index(h, substr($0, i, 1)) - 1) * 16 + index(h, substr($0, i + 1, 1)) - 1
    out = ""; for (i = 0; i < n; i += 3) { v = bytes[i] * 65536 + (i + 1 < n ? bytes[i + 1] * 256 : 0) + (i + 2 < n ? bytes[i + 2] : 0)
      out = out substr(b, int(v / 262144) % 64 + 1, 1) substr(b, int(v / 4096) % 64 + 1, 1)
      out = out (i + 1 < n ? substr(b, int(v / 64) % 64 + 1, 1) : "=") (i + 2 < n ? substr(b, v % 64 + 1, 1) : "=") }
    print out }'; }
# Names of the complete backups (those with a manifest), oldest first.
list_backups() {
  if [ "$DESTINATION" = claim ]; then
    for dir in "$(site_dir)"/*/; do if [ -f "\${dir}${BACKUP_FILES.manifest}" ]; then basename "$dir"; fi; done > "$work/unsorted"
    sort "$work/unsorted"; return 0
  fi
  : > "$work/keys"; token=""
  while :; do
    if [ -n "$token" ]; then s3 GET "" -G --data-urlencode list-type=2 --data-urlencode "prefix=$S3_PREFIX$SOURCE_SITE/" --data-urlencode "continuation-token=$token"
    else s3 GET "" -G --data-urlencode list-type=2 --data-urlencode "prefix=$S3_PREFIX$SOURCE_SITE/"; fi
    s3_ok || fail "listing the backups failed"
    xml_values Key < "$work/s3.out" >> "$work/keys"
    grep -q '<IsTruncated>true</IsTruncated>' "$work/s3.out" || break
    token="$(xml_values NextContinuationToken < "$work/s3.out")"
  done
  sed -n "s|^$S3_PREFIX$SOURCE_SITE/\\\\([0-9TZ]*\\\\)/${BACKUP_FILES.manifest}$|\\\\1|p" "$work/keys" | sort
}
`;

/**
 * Which backups retention removes, given their names (UTC timestamps) newest first: keep the last
 * KEEP_LAST, the newest of each of the last KEEP_DAILY days and of the last KEEP_WEEKLY ISO weeks.
 */
const RETENTION_AWK = `function days(y, m, d) { if (m <= 2) { y--; m += 12 } return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d - 1 - 719468 }
{ keep = NR <= last; day = substr($0, 1, 8)
  week = int((days(substr(day, 1, 4) + 0, substr(day, 5, 2) + 0, substr(day, 7, 2) + 0) + 3) / 7)
  if (!(day in seen_day) && kept_days < daily) { seen_day[day] = 1; kept_days++; keep = 1 }
  if (!(week in seen_week) && kept_weeks < weekly) { seen_week[week] = 1; kept_weeks++; keep = 1 }
  seen_day[day] = 1; seen_week[week] = 1
  if (!keep) print }`;

/** Checks the archive, stores the verified backup at its destination and applies retention (busybox sh). */
export const STORE_SCRIPT = `set -eu
${LOG_FUNCTIONS}
EVENT=backup; STAGE=store; SOURCE_SITE="$SITE"
${DESTINATION_FUNCTIONS}
name="$(cat "$work/name")"
manifest="$work/${BACKUP_FILES.manifest}"
file_field() { awk -v f="$1" -v key="$2" '${MANIFEST_FILE_AWK}' "$manifest"; }
# The files besides the manifest: no dump when the database is external.
if [ "\${DATABASE:-}" = external ]; then files="${BACKUP_FILES.content}"; else files="${BACKUP_FILES.database} ${BACKUP_FILES.content}"; fi
for f in $files; do
  [ "$(sha256sum "$work/$f" | cut -d' ' -f1)" = "$(file_field "$f" sha256)" ] || fail "SHA-256 of $f differs from the manifest"
done
tar -tzf "$work/${BACKUP_FILES.content}" > "$work/listing" || fail "the wp-content archive cannot be listed"
entries="$(wc -l < "$work/listing" | tr -d ' ')"
[ "$entries" = "$(file_field ${BACKUP_FILES.content} entries)" ] || fail "the wp-content archive lists $entries entries, the manifest says $(file_field ${BACKUP_FILES.content} entries)"
STAGE=upload
if [ "$DESTINATION" = claim ]; then
  dir="$(site_dir)"; mkdir -p "$dir"; rm -rf "$dir"/.incomplete-*
  { mkdir "$dir/.incomplete-$name" && (cd "$work" && cp $files ${BACKUP_FILES.manifest} "$dir/.incomplete-$name/"); } \\
    || fail "copying to the backup claim failed"
  for f in $files; do
    [ "$(sha256sum "$dir/.incomplete-$name/$f" | cut -d' ' -f1)" = "$(file_field "$f" sha256)" ] || fail "the copy of $f on the claim differs"
  done
  mv "$dir/.incomplete-$name" "$dir/$name" || fail "completing the backup on the claim failed"
else
  s3_credentials
  for f in $files ${BACKUP_FILES.manifest}; do
    sum="$(sha256sum "$work/$f" | cut -d' ' -f1 | hex_base64)"
    s3 PUT "$S3_PREFIX$SITE/$name/$f" -T "$work/$f" -H "x-amz-checksum-sha256: $sum"
    s3_ok || fail "uploading $f failed with HTTP $code"
  done
fi
STAGE=retention
list_backups > "$work/all"
sort -r "$work/all" | awk -v last="$KEEP_LAST" -v daily="$KEEP_DAILY" -v weekly="$KEEP_WEEKLY" '${RETENTION_AWK}' > "$work/expired"
while read -r old; do
  [ -n "$old" ] && [ "$old" != "$name" ] || continue
  if [ "$DESTINATION" = claim ]; then rm -rf "$(site_dir)/$old" || fail "removing $old failed"
  else
    for f in ${BACKUP_FILES.manifest} ${BACKUP_FILES.database} ${BACKUP_FILES.content}; do
      s3 DELETE "$S3_PREFIX$SITE/$old/$f"; s3_ok || fail "removing $old/$f failed"
    done
  fi
  echo "retention removed $old"
done < "$work/expired"
STAGE=done
log_json true "verified and stored; $(wc -l < "$work/expired" | tr -d ' ') old backups removed"
`;

/** Fetches the chosen backup into the work directory and checks every SHA-256 (busybox sh). */
export const FETCH_SCRIPT = `set -eu
${LOG_FUNCTIONS}
EVENT=restore; STAGE=fetch; SOURCE_SITE="\${SOURCE_SITE:-$SITE}"
${DESTINATION_FUNCTIONS}
[ "$DESTINATION" = claim ] || s3_credentials
name="$RESTORE_BACKUP"
if [ "$name" = latest ]; then
  list_backups > "$work/all"; name="$(tail -n 1 "$work/all")"
  [ -n "$name" ] || fail "no complete backup of $SOURCE_SITE to restore"
fi
fetch_file() {
  if [ "$DESTINATION" = claim ]; then cp "$(site_dir)/$name/$1" "$work/$1" || fail "backup $name has no $1"
  else s3 GET "$S3_PREFIX$SOURCE_SITE/$name/$1"; s3_ok || fail "downloading $name/$1 failed with HTTP $code"; mv "$work/s3.out" "$work/$1"; fi
}
fetch_file ${BACKUP_FILES.manifest}
manifest="$work/${BACKUP_FILES.manifest}"
file_field() { awk -v f="$1" -v key="$2" '${MANIFEST_FILE_AWK}' "$manifest"; }
# A backup of a site with an external database has no dump: that database is restored from its RDS snapshots.
rm -f "$work/${BACKUP_FILES.database}"
if grep -q '"database": "external"' "$manifest"; then files="${BACKUP_FILES.content}"; else files="${BACKUP_FILES.database} ${BACKUP_FILES.content}"; fi
for f in $files; do fetch_file "$f"; done
for f in $files; do
  [ "$(sha256sum "$work/$f" | cut -d' ' -f1)" = "$(file_field "$f" sha256)" ] || fail "SHA-256 of $f differs from the manifest"
done
printf '%s\\n' "$name" > "$work/name"
log_json true "fetched and checked"
`;

/** Loads the fetched dump into the site's database (MySQL image, bash); refuses a non-empty one unless OVERWRITE. */
export const LOAD_SCRIPT = `set -euo pipefail
${LOG_FUNCTIONS}
EVENT=restore; STAGE=database
work="\${WORK_DIR:-/work}"; run="\${RUN_DIR:-/run/backup}"; secrets="\${DB_SECRET_DIR:-/etc/backup/db}"
umask 077
name="$(cat "$work/name")"
[ -f "$work/${BACKUP_FILES.database}" ] || fail "backup $name has no database dump: it is content only (its site's database was external, restored from RDS snapshots)"
db="$(cat "$secrets/database")"
printf '[client]\\nuser="%s"\\npassword="%s"\\nhost="%s"\\nport=%s\\nprotocol=TCP\\n' \\
  "$(cat "$secrets/username")" "$(cat "$secrets/password")" "$DB_HOST" "$DB_PORT" > "$run/client.cnf"
client() { mysql --defaults-file="$run/client.cnf" -N -B "$@"; }
existing="$(client -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$db'")" || fail "cannot connect to $DB_HOST:$DB_PORT"
if [ "$existing" != 0 ]; then
  [ "$OVERWRITE" = true ] || fail "database $db has $existing tables: refusing to overwrite it (set restore.overwrite)"
  drops="$(client -e "SELECT CONCAT('DROP ', IF(table_type = 'VIEW', 'VIEW', 'TABLE'), ' \\\`', table_name, '\\\`;') FROM information_schema.tables WHERE table_schema = '$db'")"
  client -e "SET FOREIGN_KEY_CHECKS = 0; $drops" "$db" || fail "emptying database $db failed"
fi
gzip -dc "$work/${BACKUP_FILES.database}" | client "$db" || fail "loading the dump failed"
log_json true "loaded into database $db"
`;

/** Extracts wp-content into the content claim (busybox sh). */
export const EXTRACT_SCRIPT = `set -eu
${LOG_FUNCTIONS}
EVENT=restore; STAGE=content
work="\${WORK_DIR:-/work}"; content="\${CONTENT_DIR:-/content}"
name="$(cat "$work/name")"
if [ "$OVERWRITE" = true ] && [ -d "$content/wp-content" ]; then
  find "$content/wp-content" -mindepth 1 -delete || fail "emptying wp-content failed"
fi
tar -C "$content" -xzf "$work/${BACKUP_FILES.content}" || fail "extracting wp-content failed"
log_json true "restored backup $name"
`;

/** The backup CronJob's scripts, by ConfigMap key. */
export const BACKUP_SCRIPTS: Readonly<Record<string, string>> = {
  'dump.sh': DUMP_SCRIPT,
  'verify.sh': VERIFY_SCRIPT,
  'archive.sh': ARCHIVE_SCRIPT,
  'store.sh': STORE_SCRIPT,
};

/** The restore Job's scripts, by ConfigMap key. */
export const RESTORE_SCRIPTS: Readonly<Record<string, string>> = {
  'fetch.sh': FETCH_SCRIPT,
  'load.sh': LOAD_SCRIPT,
  'extract.sh': EXTRACT_SCRIPT,
};

/** Every script, by ConfigMap key. */
export const SCRIPTS: Readonly<Record<string, string>> = { ...BACKUP_SCRIPTS, ...RESTORE_SCRIPTS };

/** The `site.env` file the scripts source: shell assignments of the site's settings, single-quoted. */
export function siteEnvFile(settings: Record<string, string>): string {
  return Object.entries(settings).map(([key, value]) => `${key}='${value.replace(/'/g, "'\\''")}'\n`).join('');
}
