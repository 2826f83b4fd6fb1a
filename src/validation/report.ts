import { Finding, ValidationReport } from './types';

function describe(f: Finding): string {
  const o = f.object;
  const where = `${f.file ? `${f.file}: ` : ''}${o.kind ?? '?'}/${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '?'}`;
  const migration = f.migration ? `\n    migration:\n${f.migration.split('\n').map((line) => `      ${line}`).join('\n')}` : '';
  return `${f.severity.toUpperCase()} ${where} ${f.path || '(object)'}: ${f.message} [${f.rule}]\n    fix: ${f.fix}${migration}`;
}

/** The report as text (one finding per entry, then a summary line) or JSON. */
export function formatReport(report: ValidationReport, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const lines = report.findings.map(describe);
  for (const s of report.skipped) lines.push(`SKIPPED ${s.file ? `${s.file}: ` : ''}${s.apiVersion} ${s.kind}/${s.name ?? '?'}: ${s.reason}`);
  lines.push(`${report.objectCount} objects: ${report.errorCount} errors, ${report.warningCount} warnings, ${report.skipped.length} skipped`);
  return `${lines.join('\n')}\n`;
}
