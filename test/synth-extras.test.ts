import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';
import { Platform } from '../src/eks/platform';
import { WorkloadIdentity } from '../src/eks/iam/irsa-and-pod-identity';
import { writeSynthExtras } from '../src/output/synth-extras';

const ROLE = 'arn:aws:iam::111122223333:role/shop';

/** The README's app: a plain cdk8s App with one site whose WordPress uses EKS Pod Identity. */
function readmeApp(outdir: string, props: { yamlOutputType?: YamlOutputType; podIdentity?: boolean } = {}): App {
  const app = new App({ outdir, ...(props.yamlOutputType ? { yamlOutputType: props.yamlOutputType } : {}) });
  new WordPressChart(app, 'shop', {
    namespace: 'shop',
    ingress: { hosts: ['shop.example.com'] },
    ...(props.podIdentity === false ? {} : { platform: Platform.eks({ wordpressIdentity: WorkloadIdentity.podIdentity(ROLE) }) }),
  });
  return app;
}

describe('writeSynthExtras', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'extras-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('works with a plain cdk8s App: diagram, kustomization and Pod Identity associations', () => {
    // Given the README's App, synthesized
    const app = readmeApp(join(root, 'dist'));
    app.synth();
    // When the extras are written
    writeSynthExtras(app);
    // Then the associations are beside dist/, the kustomization lists what the App wrote, the diagram is in dist/
    expect(JSON.parse(readFileSync(join(root, 'pod-identity-associations.json'), 'utf8'))).toEqual({
      podIdentityAssociations: [{ namespace: 'shop', serviceAccount: 'wordpress', roleArn: ROLE }],
    });
    expect(readFileSync(join(root, 'kustomization.yaml'), 'utf8')).toContain('resources:\n  - dist/shop.k8s.yaml\n');
    expect(readFileSync(join(root, 'dist/diagram.md'), 'utf8')).toContain('Deployment wordpress');
  });

  test('lists the files of any output type, folders per chart included', () => {
    const app = readmeApp(join(root, 'dist'), { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    app.synth();
    writeSynthExtras(app);
    const resources = readFileSync(join(root, 'kustomization.yaml'), 'utf8').split('\n').filter((line) => line.startsWith('  - '));
    expect(resources.length).toBeGreaterThan(10);
    expect(resources).toContain('  - dist/shop/Deployment.wordpress.k8s.yaml');
  });

  test('removes the associations an earlier synth wrote once no workload needs one', () => {
    // Given an earlier synth with Pod Identity
    const before = readmeApp(join(root, 'dist'));
    before.synth();
    writeSynthExtras(before);
    // When the next synth has none
    const after = readmeApp(join(root, 'dist'), { podIdentity: false });
    after.synth();
    writeSynthExtras(after);
    // Then no stale association file remains
    expect(existsSync(join(root, 'pod-identity-associations.json'))).toBe(false);
  });

  test('under `cdk8s synth --format helm` keeps the chart\'s templates/ to manifests', () => {
    // Given the layout the CLI scaffolds: Chart.yaml, and the app's outdir set to templates/
    mkdirSync(join(root, 'dist/templates'), { recursive: true });
    writeFileSync(join(root, 'dist/Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
    const app = readmeApp(join(root, 'dist/templates'));
    app.synth();
    // When the extras are written
    writeSynthExtras(app);
    // Then templates/ holds only manifests, the diagram is at the chart root, the rest beside the chart
    expect(readdirSync(join(root, 'dist/templates'))).toEqual(['shop.k8s.yaml']);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['Chart.yaml', 'diagram.md', 'templates']);
    expect(readFileSync(join(root, 'kustomization.yaml'), 'utf8')).toContain('  - dist/templates/shop.k8s.yaml\n');
    expect(existsSync(join(root, 'pod-identity-associations.json'))).toBe(true);
  });
});
