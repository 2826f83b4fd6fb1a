// Small-business sites on one EKS cluster: one namespace each, one shared ALB through an
// IngressGroup with a certificate per site, gp3 for every database.
import { App, Chart } from 'cdk8s';
import { Gp3StorageClass, LinearSynthApp, markPrunable, Platform, WordPressFleet, writeSynthExtras } from 'cdk8s-wordpress-eks';

const CERTIFICATE = (id: string) => `arn:aws:acm:eu-west-1:111122223333:certificate/${id}`;

export function buildApp(app: App): App {
  const storage = new Chart(app, 'storage');
  const gp3 = new Gp3StorageClass(storage, 'gp3');
  // A class dropped from the code is pruned by ./apply.sh, with the fleet's prune set (its partOf).
  markPrunable(storage, 'wordpress-fleet');
  const fleet = new WordPressFleet(app, {
    platform: Platform.eks({ databaseStorageClassName: gp3.storageClass.name }),
    sharedAlb: { groupName: 'small-business', options: { scheme: 'internet-facing' } },
    sites: [
      { name: 'grocer', hosts: ['grocer.example.com'], certificateArn: CERTIFICATE('11111111-1111-4111-8111-111111111111') },
      { name: 'bakery', hosts: ['bakery.example.com', 'www.bakery.example.com'], size: 'medium', certificateArn: CERTIFICATE('22222222-2222-4222-8222-222222222222') },
      { name: 'florist', hosts: ['florist.example.com'], certificateArn: CERTIFICATE('33333333-3333-4333-8333-333333333333') },
    ],
  });
  for (const site of fleet.sites) site.addDependency(storage);
  return app;
}

if (require.main === module) {
  const app = new LinearSynthApp();
  buildApp(app).synth();
  writeSynthExtras(app);
}
